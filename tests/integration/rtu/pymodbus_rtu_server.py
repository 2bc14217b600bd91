#!/usr/bin/python3
"""A Modbus RTU slave made with python3-pymodbus (an implementation we did not write) on
a serial device (one end of a socat pty pair), hosting two slave addresses with values
test_pymodbus_rtu.cpp knows. Prints "serving <device>" once the port is open.

usage: pymodbus_rtu_server.py DEVICE BAUD

Slave 1 and slave 2 hold, at PDU address a (zero_mode=True):
  holding registers  unit * 1000 + a      (a < 300)
  input registers    unit * 2000 + a      (a < 300)
  coils              a % 3 == 0           (a < 64)
  discrete inputs    (a + unit) % 2 == 1  (a < 64)
Other addresses are not answered (ignore_missing_slaves).
"""
import asyncio
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


def slave(unit):
    return ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, [unit * 1000 + a for a in range(300)]),
        ir=ModbusSequentialDataBlock(0, [unit * 2000 + a for a in range(300)]),
        co=ModbusSequentialDataBlock(0, [1 if a % 3 == 0 else 0 for a in range(64)]),
        di=ModbusSequentialDataBlock(0, [1 if (a + unit) % 2 == 1 else 0 for a in range(64)]),
        zero_mode=True,
    )


async def main(device, baud):
    context = ModbusServerContext(slaves={1: slave(1), 2: slave(2)}, single=False)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=device, baudrate=baud, bytesize=8, parity="N",
        stopbits=1, timeout=0.005, ignore_missing_slaves=True, defer_start=True)
    await server.start()
    print("serving", device, flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
