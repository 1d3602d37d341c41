"""What operators read and do, shared by the portal's operator page and the `accordeer` CLI: dead letters (read,
show, replay), dispatch's breakers, items per status. Part of the runtime: no module here imports the CLI or the
local development stack."""
