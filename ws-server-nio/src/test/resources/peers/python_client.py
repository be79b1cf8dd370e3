"""An independent client (Python websockets) exercising a Wirefly echo server. Exits 0 when every check passed.

Usage: python_client.py URL [CA_FILE]; with a wss:// URL, CA_FILE (PEM) is the only trusted certificate, and the
server's name is checked against it as a browser would.
"""
import asyncio
import os
import random
import ssl
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory


async def main(url, cafile=None):
    failures = []
    tls = {"ssl": ssl.create_default_context(cafile=cafile)} if url.startswith("wss:") else {}

    def check(name, ok):
        print(("ok   " if ok else "FAIL ") + name, flush=True)
        if not ok:
            failures.append(name)

    async with websockets.connect(url, **tls, max_size=4 * 1024 * 1024, compression=None) as ws:
        await ws.send("hello")
        check("text echo", await ws.recv() == "hello")

        big_text = "wirefly " * (1024 * 128)  # 1 MiB
        await ws.send(big_text)
        check("1 MiB text echo", await ws.recv() == big_text)

        blob = os.urandom(1024 * 1024)
        await ws.send(blob)
        check("1 MiB binary echo", await ws.recv() == blob)

        await ws.send(["frag", "men", "ted ✓"])  # one message in three frames
        check("fragmented message echo", await ws.recv() == "fragmented ✓")

        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        check("ping answered with pong", True)

        await ws.close(code=4000, reason="bye")
        check("close code echoed", ws.close_code == 4000)

    async with websockets.connect(url, **tls, max_size=None, compression=None) as ws:
        # A text frame that is not UTF-8 must close the connection with 1007.
        await ws.send(b"\xce\xba\xed\xa0\x80")  # sent as binary first: must be echoed untouched
        check("binary with non-UTF-8 bytes echoed", await ws.recv() == b"\xce\xba\xed\xa0\x80")
        transport_write = ws.transport.write
        # Hand-build a masked text frame with invalid UTF-8: FIN+TEXT, MASK|5, zero mask key.
        transport_write(bytes([0x81, 0x85, 0, 0, 0, 0, 0xCE, 0xBA, 0xED, 0xA0, 0x80]))
        try:
            await asyncio.wait_for(ws.recv(), 5)
            check("invalid UTF-8 closed with 1007", False)
        except websockets.ConnectionClosed as e:
            check("invalid UTF-8 closed with 1007", e.rcvd is not None and e.rcvd.code == 1007)

    # Ask the server to compress with at most a 512-byte window. The same 2000-byte text twice: with a full
    # window the second copy would be a back-reference 2000 bytes away, which zlib with wbits=-9 rejects.
    small = ClientPerMessageDeflateFactory(server_max_window_bits=9)
    async with websockets.connect(url, **tls, max_size=None, extensions=[small]) as ws:
        negotiated = ws.extensions[0] if ws.extensions else None
        check("server_max_window_bits=9 accepted",
              negotiated is not None and negotiated.remote_max_window_bits == 9)
        letters = random.Random(9)
        text = "".join(letters.choice("abcdefghij") for _ in range(2000))
        for n in (1, 2):
            await ws.send(text)
            check("echo %d within a 9-bit window" % n, await ws.recv() == text)

    return failures


if __name__ == "__main__":
    failed = asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
    print("FAILED: " + ", ".join(failed) if failed else "ALL OK")
    sys.exit(1 if failed else 0)
