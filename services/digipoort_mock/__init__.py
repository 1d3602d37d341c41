"""A stand-in for Digipoort, the Dutch government gateway, speaking HTTP/JSON in Digipoort's vocabulary.

Run it with `python -m services.digipoort_mock` (settings: `settings.DigipoortMockSettings`).

Public API (subject to fault injection):
    POST /aanleveren            deliver a message; idempotent on aanleverkenmerk
    GET  /status/{kenmerk}      the status trail of one delivery so far
    POST /statussen             the same for many kenmerken at once
Admin API (never faulty): GET/PUT /_admin/faults, GET/PUT /_admin/trails, GET /_admin/received,
POST /_admin/reset, and GET /health.

Each delivery follows a trail, named after its telling status code; one status appears every
`seconds_per_step` seconds after delivery:
    500  105 → 100 → 110 → 200 → 301 → 405 → 400 → 500   accepted by the authority (happy path)
    210  105 → 100 → 210                                 authentication failed
    311  105 → 100 → 110 → 311                           validation failed
    410  105 → 100 → 110 → 200 → 301 → 410               delivery to the authority failed
    420  ... → 301 → 420, then after 3 more steps 405 → 400 → 500 (the gateway retried)
    510  ... → 405 → 400 → 510                           declined by the authority, with foutcode

Choosing a trail: put the marker `MOCK-TRAIL:<trail>` (e.g. `MOCK-TRAIL:311`) anywhere in the
base64-decoded berichtInhoud.inhoud. Without a marker the trail is the per-berichtsoort override,
else the default (DIGIPOORT_MOCK_DEFAULT_TRAIL, or PUT /_admin/trails
{"default": "500", "per_berichtsoort": {"Omzetbelasting": "510"}}). An unknown trail in a marker is a
400 AL-VALIDATIE.
"""
