"""An independent echo server (Python websockets) for Wirefly's client. Prints its port, then serves until killed."""
import asyncio
import sys

import websockets


async def echo(ws, path=None):
    async for message in ws:
        if message == "close-4001":
            await ws.close(code=4001, reason="asked to")
            return
        await ws.send(message)


async def main(compression):
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=4 * 1024 * 1024,
                                compression="deflate" if compression else None) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(len(sys.argv) > 1 and sys.argv[1] == "deflate"))
