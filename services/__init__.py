"""The Accordeer services: intake, workflow, dispatch, and the mocked Digipoort gateway."""
