"""Waiting for a service process to say it is ready on its health endpoint."""

import asyncio

import httpx


async def until_ready(port: int, timeout: float = 90) -> bool:
    """Whether the process answering on ``port`` says /health/ready with 200 within ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient() as client:
        while asyncio.get_running_loop().time() < deadline:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    return False
