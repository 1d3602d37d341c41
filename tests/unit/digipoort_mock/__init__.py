"""Fast tests of the mocked Digipoort gateway (services.digipoort_mock)."""
