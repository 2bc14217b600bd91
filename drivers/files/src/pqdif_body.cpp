// Record bodies (pqdif_ph.h): a collection is a SIZE4 count and that many 28-octet entries
// (tag GUID, element type, physical type, embedded flag, reserved, then either a LINKREL4
// link + SIZE4 size into the body or up to 8 octets of embedded scalar value). A vector is
// a SIZE4 count followed by the values. Links are offsets from the start of the body.
#include "pqdif_body.hpp"

namespace gridgate::files::pqdif {

const Element* Element::find(const Guid& t) const {
    for (const auto& c : children)
        if (c.tag == t) return &c;
    return nullptr;
}

namespace {

class BodyParser {
public:
    BodyParser(std::span<const std::byte> body, std::size_t max_depth)
        : body_(body), max_depth_(max_depth), budget_(body.size() / element_size) {}

    bool collection(std::size_t at, std::size_t end, std::size_t depth, Element& out) {
        if (depth > max_depth_) return fail("collections nested deeper than " + std::to_string(max_depth_));
        if (end - at < 4) return fail("collection at " + std::to_string(at) + " has no room for its count");
        const std::int32_t count = get_i32(body_, at);
        if (count < 0) return fail("negative collection count at " + std::to_string(at));
        const auto n = static_cast<std::size_t>(count);
        if ((end - at - 4) / element_size < n)
            return fail("collection at " + std::to_string(at) + " declares " + std::to_string(n) +
                        " elements that do not fit");
        // Each element entry takes 28 octets of its own, so a tree with more entries than the
        // body can hold shares or loops its links: stop before that multiplies the work.
        if (n > budget_) return fail("element links shared or looping (more elements than the body holds)");
        budget_ -= n;
        out.count = static_cast<std::uint32_t>(n);
        out.children.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            if (!element(at + 4 + i * element_size, depth, out.children[i])) return false;
        return true;
    }

    const std::string& error() const { return error_; }

private:
    bool fail(std::string why) {
        error_ = std::move(why);
        return false;
    }

    // The [link, link + size) window of a non-embedded element, inside the body.
    bool linked(std::size_t entry, std::size_t& link, std::size_t& size) {
        const std::int32_t l = get_i32(body_, entry + 20);
        const std::int32_t s = get_i32(body_, entry + 24);
        if (l < 0 || s < 0 || static_cast<std::size_t>(l) > body_.size() ||
            static_cast<std::size_t>(s) > body_.size() - static_cast<std::size_t>(l))
            return fail("element at " + std::to_string(entry) + " links outside the body (link " + std::to_string(l) +
                        ", size " + std::to_string(s) + ", body " + std::to_string(body_.size()) + ")");
        link = static_cast<std::size_t>(l);
        size = static_cast<std::size_t>(s);
        return true;
    }

    bool element(std::size_t entry, std::size_t depth, Element& e) {
        e.tag = get_guid(body_, entry);
        const auto type = std::to_integer<std::uint8_t>(body_[entry + 16]);
        e.physical = std::to_integer<std::uint8_t>(body_[entry + 17]);
        const bool embedded = std::to_integer<std::uint8_t>(body_[entry + 18]) != 0;
        const std::string where = "element at " + std::to_string(entry);
        std::size_t link = 0, size = 0;
        switch (type) {
            case static_cast<std::uint8_t>(ElementType::collection):
                e.type = ElementType::collection;
                if (embedded) return fail(where + ": a collection cannot be embedded");
                return linked(entry, link, size) && collection(link, link + size, depth + 1, e);
            case static_cast<std::uint8_t>(ElementType::scalar): {
                e.type = ElementType::scalar;
                const std::size_t ps = physical_size(e.physical);
                if (ps == 0) return fail(where + ": unknown physical type " + std::to_string(e.physical));
                if (embedded) {
                    if (ps > 8) return fail(where + ": embedded scalar wider than 8 octets");
                    e.value = body_.subspan(entry + 20, ps);
                    return true;
                }
                if (!linked(entry, link, size)) return false;
                if (size < ps) return fail(where + ": scalar size " + std::to_string(size) + " under its type's " + std::to_string(ps));
                e.value = body_.subspan(link, ps);
                return true;
            }
            case static_cast<std::uint8_t>(ElementType::vector): {
                e.type = ElementType::vector;
                const std::size_t ps = physical_size(e.physical);
                if (ps == 0) return fail(where + ": unknown physical type " + std::to_string(e.physical));
                if (embedded) return fail(where + ": a vector cannot be embedded");
                if (!linked(entry, link, size)) return false;
                if (size < 4) return fail(where + ": vector has no room for its count");
                const std::int32_t count = get_i32(body_, link);
                if (count < 0 || static_cast<std::size_t>(count) > (size - 4) / ps)
                    return fail(where + ": vector count " + std::to_string(count) + " does not fit its size " +
                                std::to_string(size));
                e.count = static_cast<std::uint32_t>(count);
                e.value = body_.subspan(link + 4, e.count * ps);
                return true;
            }
            default:
                return fail(where + ": unknown element type " + std::to_string(type));
        }
    }

    std::span<const std::byte> body_;
    std::size_t max_depth_;
    std::size_t budget_;
    std::string error_;
};

}  // namespace

ParsedBody parse_body(std::span<const std::byte> body, const Guid& record_type, std::size_t max_depth) {
    ParsedBody out;
    BodyParser parser(body, max_depth);
    Element root;
    root.tag = record_type;
    if (parser.collection(0, body.size(), 1, root))
        out.root = std::move(root);
    else
        out.error = parser.error();
    return out;
}

}  // namespace gridgate::files::pqdif
