// Body layout for the writer (see pqdif_tree.hpp).
#include "pqdif_tree.hpp"

#include <bit>
#include <limits>
#include <stdexcept>

#include "pqdif_time.hpp"

namespace gridgate::files::pqdif {

namespace {

void put_le(std::vector<std::byte>& out, std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
}

void patch_le(std::vector<std::byte>& out, std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) out[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
}

std::uint32_t to_u32(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw std::length_error("PQDIF record body over 2 GiB");
    return static_cast<std::uint32_t>(n);
}

Node scalar(const Guid& tag, PhysicalType p, std::vector<std::byte> data) {
    Node n;
    n.tag = tag;
    n.type = ElementType::scalar;
    n.physical = p;
    n.data = std::move(data);
    return n;
}

template <typename T, typename Bits>
Node vector_of(const Guid& tag, PhysicalType p, const std::vector<T>& values) {
    Node n;
    n.tag = tag;
    n.type = ElementType::vector;
    n.physical = p;
    n.count = to_u32(values.size());
    for (const T v : values) put_le(n.data, std::bit_cast<Bits>(v), sizeof(T));
    return n;
}

bool embedded(const Node& n) { return n.type == ElementType::scalar && n.data.size() <= 8; }

void pad4(std::vector<std::byte>& out) {
    while (out.size() % 4 != 0) out.push_back(std::byte{0});
}

void write_collection(std::vector<std::byte>& out, const Node& c) {
    const std::size_t start = out.size();
    put_le(out, to_u32(c.children.size()), 4);
    out.resize(start + 4 + c.children.size() * element_size);
    for (std::size_t i = 0; i < c.children.size(); ++i) {
        const Node& e = c.children[i];
        const std::size_t entry = start + 4 + i * element_size;
        std::copy(e.tag.bytes.begin(), e.tag.bytes.end(), reinterpret_cast<std::uint8_t*>(out.data() + entry));
        out[entry + 16] = static_cast<std::byte>(e.type);
        out[entry + 17] = e.type == ElementType::collection ? std::byte{0} : static_cast<std::byte>(e.physical);
        out[entry + 18] = static_cast<std::byte>(embedded(e) ? 1 : 0);
        if (embedded(e)) {
            std::copy(e.data.begin(), e.data.end(), out.begin() + static_cast<std::ptrdiff_t>(entry + 20));
            continue;
        }
        const std::size_t link = out.size();
        if (e.type == ElementType::collection) {
            write_collection(out, e);
        } else {
            if (e.type == ElementType::vector) put_le(out, e.count, 4);
            out.insert(out.end(), e.data.begin(), e.data.end());
            pad4(out);
        }
        patch_le(out, entry + 20, to_u32(link));
        patch_le(out, entry + 24, to_u32(out.size() - link));
    }
}

}  // namespace

Node collection(const Guid& tag, std::vector<Node> children) {
    Node n;
    n.tag = tag;
    n.type = ElementType::collection;
    n.children = std::move(children);
    return n;
}

Node scalar_u32(const Guid& tag, std::uint32_t v) {
    std::vector<std::byte> d;
    put_le(d, v, 4);
    return scalar(tag, PhysicalType::uns_integer4, std::move(d));
}

Node scalar_bool4(const Guid& tag, bool v) {
    std::vector<std::byte> d;
    put_le(d, v ? 1 : 0, 4);
    return scalar(tag, PhysicalType::boolean4, std::move(d));
}

Node scalar_f64(const Guid& tag, double v) {
    std::vector<std::byte> d;
    put_le(d, std::bit_cast<std::uint64_t>(v), 8);
    return scalar(tag, PhysicalType::real8, std::move(d));
}

Node scalar_guid(const Guid& tag, const Guid& v) {
    std::vector<std::byte> d(16);
    std::copy(v.bytes.begin(), v.bytes.end(), reinterpret_cast<std::uint8_t*>(d.data()));
    return scalar(tag, PhysicalType::guid, std::move(d));
}

Node scalar_time(const Guid& tag, TimestampUs us) {
    const auto t = encode_timestamp(us);
    return scalar(tag, PhysicalType::timestamp, std::vector<std::byte>(t.begin(), t.end()));
}

Node vector_text(const Guid& tag, std::string_view text) {
    std::vector<std::uint8_t> chars(text.begin(), text.end());
    chars.push_back(0);
    return vector_of<std::uint8_t, std::uint8_t>(tag, PhysicalType::char1, chars);
}

Node vector_u32(const Guid& tag, const std::vector<std::uint32_t>& v) {
    return vector_of<std::uint32_t, std::uint32_t>(tag, PhysicalType::uns_integer4, v);
}

Node vector_i32(const Guid& tag, const std::vector<std::int32_t>& v) {
    return vector_of<std::int32_t, std::uint32_t>(tag, PhysicalType::integer4, v);
}

Node vector_f64(const Guid& tag, const std::vector<double>& v) {
    return vector_of<double, std::uint64_t>(tag, PhysicalType::real8, v);
}

std::vector<std::byte> serialize_body(const Node& root) {
    std::vector<std::byte> out;
    write_collection(out, root);
    return out;
}

}  // namespace gridgate::files::pqdif
