"""Intake: turns declarations published on ``declarations.inbound`` into Accorderingsbericht dossier items, or refuses them with a reason."""
