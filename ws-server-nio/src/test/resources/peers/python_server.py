"""An independent echo server (Python websockets) for Wirefly's client. Prints its port, then serves until killed."""
import asyncio
import sys

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


async def echo(ws, path=None):
    async for message in ws:
        if message == "close-4001":
            await ws.close(code=4001, reason="asked to")
            return
        await ws.send(message)


async def main(mode):
    # "deflate-window9": the client must compress with at most a 512-byte window (client_max_window_bits=9)
    options = {"plain": {"compression": None},
               "deflate": {"compression": "deflate"},
               "deflate-window9": {"extensions": [ServerPerMessageDeflateFactory(
                   client_max_window_bits=9, require_client_max_window_bits=True)]}}[mode]
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=4 * 1024 * 1024, **options) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "plain"))
