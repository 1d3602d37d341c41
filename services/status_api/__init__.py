"""The status API: a source's statuses and refusals over HTTP, modelled on Digipoort's StatusinformatieService
(getStatussenProces: every status of one message; getNieuweStatussen: what is new since the last call)."""
