"""The workflow service: routes dossier items into approval workflows and moves them on people's actions."""
