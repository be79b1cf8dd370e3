"""An independent echo server (Python websockets) for Wirefly's client. Prints its port, then serves until killed.

Usage: python_server.py [MODE] [CERT_PEM KEY_PEM]; with the two files it serves wss:// (TLS by Python's ssl module).
"""
import asyncio
import ssl
import sys

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


async def echo(ws, path=None):
    async for message in ws:
        if message == "close-4001":
            await ws.close(code=4001, reason="asked to")
            return
        await ws.send(message)


async def main(mode, cert=None, key=None):
    # "deflate-window9": the client must compress with at most a 512-byte window (client_max_window_bits=9)
    options = {"plain": {"compression": None},
               "deflate": {"compression": "deflate"},
               "deflate-window9": {"extensions": [ServerPerMessageDeflateFactory(
                   client_max_window_bits=9, require_client_max_window_bits=True)]}}[mode]
    if cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        options["ssl"] = tls
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=4 * 1024 * 1024, **options) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(*(sys.argv[1:] or ["plain"])))
