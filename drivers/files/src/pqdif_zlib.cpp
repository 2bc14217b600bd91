// The one place PQDIF touches zlib; its return codes become messages here.
#include "pqdif_zlib.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace gridgate::files::pqdif {

namespace {

Bytef* in_ptr(std::span<const std::byte> s) {
    // zlib's API is not const-correct; it never writes through next_in.
    return const_cast<Bytef*>(reinterpret_cast<const Bytef*>(s.data()));
}

class InflateStream {
public:
    InflateStream() { ok_ = inflateInit(&z_) == Z_OK; }
    ~InflateStream() {
        if (ok_) inflateEnd(&z_);
    }
    InflateStream(const InflateStream&) = delete;
    InflateStream& operator=(const InflateStream&) = delete;
    bool ok() const { return ok_; }
    z_stream& z() { return z_; }

private:
    z_stream z_{};
    bool ok_ = false;
};

}  // namespace

Inflated inflate_body(std::span<const std::byte> stored, std::size_t max_out) {
    Inflated out;
    InflateStream s;
    if (!s.ok()) {
        out.error = "zlib inflateInit failed";
        return out;
    }
    z_stream& z = s.z();
    z.next_in = in_ptr(stored);
    z.avail_in = static_cast<uInt>(stored.size());
    std::size_t produced = 0;
    for (;;) {
        if (produced == out.data.size()) {
            if (produced >= max_out) {
                out.error = "inflated body larger than " + std::to_string(max_out) + " octets";
                return out;
            }
            out.data.resize(std::min(max_out, std::max<std::size_t>(4096, produced * 2)));
        }
        z.next_out = reinterpret_cast<Bytef*>(out.data.data() + produced);
        z.avail_out = static_cast<uInt>(out.data.size() - produced);
        const int rc = inflate(&z, Z_NO_FLUSH);
        produced = out.data.size() - z.avail_out;
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0) break;
            inflateReset(&z);  // another stream follows
            continue;
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0) {
            out.error = "compressed body ends inside its zlib stream";
            return out;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            out.error = std::string("zlib: ") + (z.msg != nullptr ? z.msg : "inflate error " + std::to_string(rc));
            return out;
        }
    }
    out.data.resize(produced);
    return out;
}

std::vector<std::byte> deflate_body(std::span<const std::byte> body) {
    uLongf size = compressBound(static_cast<uLong>(body.size()));
    std::vector<std::byte> out(size);
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, in_ptr(body), static_cast<uLong>(body.size()),
                  Z_DEFAULT_COMPRESSION) != Z_OK)
        throw std::runtime_error("zlib compress2 failed");
    out.resize(size);
    return out;
}

std::uint32_t adler32_of(std::span<const std::byte> bytes) {
    uLong a = adler32(0L, Z_NULL, 0);
    // adler32() takes a uInt length; feed large bodies in pieces.
    while (!bytes.empty()) {
        const std::size_t n = std::min<std::size_t>(bytes.size(), 1u << 30);
        a = adler32(a, in_ptr(bytes), static_cast<uInt>(n));
        bytes = bytes.subspan(n);
    }
    return static_cast<std::uint32_t>(a);
}

}  // namespace gridgate::files::pqdif
