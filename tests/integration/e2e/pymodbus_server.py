#!/usr/bin/python3
"""A Modbus TCP server made with python3-pymodbus (an implementation we did not write),
serving fixed values that test_pymodbus.py knows. Prints "listening <port>" once bound.

usage: pymodbus_server.py PORT
"""
import asyncio
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

# PDU address -> register value. Chosen so every decoding rule shows: 32-bit high word
# first, low word first, signed, float, and a block boundary at 125 registers.
HOLDING = {
    0: 0x0001, 1: 0x86A0,        # u32 hi-first 100000
    2: 0x3B9A, 3: 0xC9FF,        # u32 hi-first 999999999 (the meter's 9-digit maximum)
    4: 0xFFFF, 5: 0xFFFE,        # s32 hi-first -2
    6: 0x86A0, 7: 0x0001,        # u32 low-word-first 100000
    8: 0x4049, 9: 0x0FDB,        # f32 3.14159274
    10: 0x8000,                  # s16 -32768
    124: 0x1234, 125: 0x5678,    # u32 straddling the 125-register limit: must not be split
    200: 0x0102,                 # u16 258
}
INPUT = {
    0: 0x3BCF,                   # s16 15311 -> 15311/32767*530 V
    1: 0xB000,                   # s16 -20480
    2: 0x7FFF,                   # u16 32767
}
DISCRETE = {0: 1, 1: 0, 2: 1}
COILS = {0: 0, 1: 1}


def block(values, size):
    data = [0] * size
    for addr, v in values.items():
        data[addr] = v
    # zero_mode=True context: the block's first element is PDU address 0.
    return ModbusSequentialDataBlock(0, data)


async def main(port):
    store = ModbusSlaveContext(
        hr=block(HOLDING, 256), ir=block(INPUT, 16), di=block(DISCRETE, 16), co=block(COILS, 16), zero_mode=True
    )
    context = ModbusServerContext(slaves=store, single=True)
    server = await StartAsyncTcpServer(context=context, address=("127.0.0.1", port), defer_start=True)
    await server.serve_forever()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    print("listening", sys.argv[1], flush=True)
    asyncio.run(main(int(sys.argv[1])))
