"""Dispatch's configuration file (deploy/config/gateway.yaml): berichtsoort per message type."""

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class GatewayConfig:
    rol_belanghebbende: str
    berichtsoorten: dict[str, str]

    def berichtsoort(self, message_type: str) -> str | None:
        return self.berichtsoorten.get(message_type)


def load_gateway_config(config_dir: Path) -> GatewayConfig:
    document = yaml.safe_load((config_dir / "gateway.yaml").read_text())
    return GatewayConfig(rol_belanghebbende=document["rol_belanghebbende"],
                         berichtsoorten=dict(document["berichtsoorten"]))
