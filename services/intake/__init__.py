"""Intake: turns declarations on ``declarations.inbound`` into Accorderingsbericht dossier items, or refuses them."""
