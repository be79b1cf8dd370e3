"""Many compressing clients at once (Python websockets), for DeflateSharingIT. Exits 0 when every check passed.

Usage: deflate_clients.py URL CLIENTS MESSAGES
Each client negotiates permessage-deflate, then sends MESSAGES text messages of its own (some in fragments, all
compressed) while the others do the same, and checks that each echo is its own message, unchanged. It prints the
extension the server answered with, and "ALL OK" at the end.

Usage: deflate_clients.py URL CLIENTS hold
The clients connect one after the other; each sends one compressed message and stays open. It prints
"client N echo" or "client N closed CODE" for each, then whether client 0 can still echo ("client 0 again echo").
"""
import asyncio
import random
import sys

import websockets


async def client(url, index, messages, answers, failures):
    rng = random.Random(index)
    async with websockets.connect(url, compression="deflate", max_size=1 << 20) as ws:
        answers.add(ws.response_headers.get("Sec-WebSocket-Extensions"))
        for m in range(messages):
            text = ("client %d message %d " % (index, m)) + "".join(
                rng.choice("abcdefgh {}:,\"") for _ in range(rng.randint(200, 6000)))
            if m % 3 == 2:
                # a fragmented message: its compressed frames interleave with the other clients' on the wire
                parts = [text[i:i + 700] for i in range(0, len(text), 700)]
                await ws.send(parts)
            else:
                await ws.send(text)
            echo = await ws.recv()
            if echo != text:
                failures.append("client %d message %d came back different (%d chars, sent %d)"
                                % (index, m, len(echo), len(text)))
                return


async def main(url, clients, messages):
    answers = set()
    failures = []
    await asyncio.wait_for(asyncio.gather(*[client(url, i, messages, answers, failures)
                                            for i in range(clients)]), 90)
    for a in sorted(str(x) for x in answers):
        print("answer " + a)
    for f in failures:
        print("FAIL " + f)
    if not failures:
        print("ALL OK")
    return 0 if not failures else 1


async def hold(url, clients):
    text = "{\"reading\": 21.5, \"unit\": \"C\"} " * 40
    open_ones = []
    for i in range(clients):
        ws = await websockets.connect(url, compression="deflate")
        await ws.send(text)
        try:
            ok = await asyncio.wait_for(ws.recv(), 10) == text
            print("client %d %s" % (i, "echo" if ok else "wrong echo"), flush=True)
            open_ones.append(ws)
        except websockets.ConnectionClosed as e:
            print("client %d closed %d" % (i, e.rcvd.code if e.rcvd else 1006), flush=True)
    await open_ones[0].send(text)
    print("client 0 again %s" % ("echo" if await asyncio.wait_for(open_ones[0].recv(), 10) == text else "wrong"))
    for ws in open_ones:
        await ws.close()
    return 0


if __name__ == "__main__":
    if sys.argv[3] == "hold":
        sys.exit(asyncio.run(hold(sys.argv[1], int(sys.argv[2]))))
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
