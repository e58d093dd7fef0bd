#!/usr/bin/env python3
"""A hostile SMTP server on loopback for permanenced's tests: it never sends a proper greeting.

Modes: trickle (a continuation line of the greeting every 0.2 s, for ever); flood (continuation lines as
fast as the socket takes them); longline (one greeting line that never ends).
Prints "READY <port>" once listening; exits when stdin closes.
"""
import argparse, asyncio, sys


async def serve(mode, reader, writer):
    try:
        if mode == "trickle":
            while True:
                writer.write(b"220-still greeting you\r\n")
                await writer.drain()
                await asyncio.sleep(0.2)
        elif mode == "flood":
            line = b"220-" + b"x" * 200 + b"\r\n"
            while True:
                writer.write(line * 64)
                await writer.drain()
        elif mode == "longline":
            writer.write(b"220 ")
            while True:
                writer.write(b"x" * 4096)
                await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True, choices=["trickle", "flood", "longline"])
    a = p.parse_args()
    server = await asyncio.start_server(lambda r, w: serve(a.mode, r, w), "127.0.0.1", 0)
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
