#include "sftp_read_pipeline.hpp"

#include <algorithm>
#include <deque>
#include <vector>

namespace gridgate::files::detail {

namespace {
// Up to this much requested ahead (a bandwidth-delay product that covers LTE links).
constexpr std::size_t read_window_bytes = 1024 * 1024;
constexpr std::size_t max_requests_in_flight = 32;
}  // namespace

std::uint64_t read_pipelined(SftpState& s, sftp_file file, std::uint64_t offset, std::uint64_t end,
                             TransferPacer& pacer, const std::string& operation, const std::string& path,
                             const ReadSink& sink) {
    struct Pending {
        std::uint32_t id;
        std::uint64_t offset;
        std::uint32_t length;
        bool probe;  // beyond the size the file had when opened
    };
    // Requests past the end would each cost a bandwidth token and a round trip for
    // nothing: pipeline up to the size the file has now, then probe one request at a
    // time (the file may still grow; that is the caller's business).
    s.clear_status();
    sftp_attributes attributes = nullptr;
    {
        auto armed = s.guard();
        attributes = sftp_fstat(file);
    }
    if (!attributes) throw s.fail(operation + " (fstat)", path);
    const std::uint64_t known_end = std::min<std::uint64_t>(end, attributes->size);
    sftp_attributes_free(attributes);

    const std::size_t request = pacer.request_bytes();
    const std::size_t depth = std::clamp<std::size_t>(read_window_bytes / request, 1, max_requests_in_flight);
    std::vector<std::byte> buffer(request);
    std::deque<Pending> in_flight;
    std::uint64_t next = offset;  // where the next request starts
    bool at_eof = false;

    const auto receive = [&](const Pending& p) {
        s.clear_status();
        auto armed = s.guard();
        const int n = sftp_async_read(file, buffer.data(), p.length, p.id);
        if (n == SSH_EOF) return 0;
        if (n < 0) throw s.fail(operation, path);
        return n;
    };
    while (true) {
        while (!at_eof && next < end && in_flight.size() < depth) {
            const bool probe = next >= known_end;
            if (probe && !in_flight.empty()) break;
            const auto length = static_cast<std::uint32_t>(std::min<std::uint64_t>(request, end - next));
            if (probe)
                pacer.check_cancelled();  // charged below for what it brings, if anything
            else
                pacer.before(length);
            s.clear_status();
            // The request goes at the file's offset; set it explicitly, since libssh moves
            // it back after a short read.
            sftp_seek64(file, next);
            int id = 0;
            {
                auto armed = s.guard();
                id = sftp_async_read_begin(file, length);
            }
            if (id < 0) throw s.fail(operation, path);
            in_flight.push_back({static_cast<std::uint32_t>(id), next, length, probe});
            next += length;
        }
        if (in_flight.empty()) break;
        const Pending p = in_flight.front();
        in_flight.pop_front();
        const int n = receive(p);
        if (n > 0) {
            if (p.probe) pacer.before(static_cast<std::size_t>(n));
            sink(p.offset, std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(n)));
            offset = p.offset + static_cast<std::uint64_t>(n);
            pacer.after(offset);
        }
        if (static_cast<std::uint32_t>(n) < p.length) {
            // End of file, or a server that sent less than asked (allowed): the requests
            // behind this one no longer line up. Collect their answers and carry on
            // from where the data stopped.
            while (!in_flight.empty()) {
                receive(in_flight.front());
                in_flight.pop_front();
            }
            at_eof = n == 0;
            next = offset;
        }
    }
    return offset;
}

}  // namespace gridgate::files::detail
