// An independent Modbus RTU slave for tests: libmodbus (not our code) on a serial
// device, answering one slave address until killed. Prints "serving" once connected.
//
// usage: rtu_libmodbus_slave DEVICE BAUD SLAVE_ID
// Tables (64 entries each): holding a -> 3000 + a, input a -> 4000 + a,
// coils a -> a % 4 == 1, discrete inputs a -> a % 5 == 0.
#include <modbus.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s DEVICE BAUD SLAVE_ID\n", argv[0]);
        return 2;
    }
    modbus_t* ctx = modbus_new_rtu(argv[1], std::atoi(argv[2]), 'N', 8, 1);
    if (!ctx || modbus_set_slave(ctx, std::atoi(argv[3])) != 0 || modbus_connect(ctx) != 0) {
        std::fprintf(stderr, "libmodbus setup failed: %s\n", modbus_strerror(errno));
        return 1;
    }
    constexpr int size = 64;
    modbus_mapping_t* map = modbus_mapping_new(size, size, size, size);
    for (int a = 0; a < size; ++a) {
        map->tab_registers[a] = static_cast<uint16_t>(3000 + a);
        map->tab_input_registers[a] = static_cast<uint16_t>(4000 + a);
        map->tab_bits[a] = a % 4 == 1 ? 1 : 0;
        map->tab_input_bits[a] = a % 5 == 0 ? 1 : 0;
    }
    std::printf("serving %s\n", argv[1]);
    std::fflush(stdout);
    uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
    while (true) {
        const int n = modbus_receive(ctx, query);
        if (n > 0) modbus_reply(ctx, query, n, map);
        // n == 0: a request for another slave; n < 0: a bad frame (libmodbus flushes),
        // unless the line itself is gone.
        if (n < 0 && (errno == EIO || errno == EBADF)) return 1;
    }
}
