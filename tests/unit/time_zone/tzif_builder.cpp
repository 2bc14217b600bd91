#include "tzif_builder.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>

namespace gridgate::tz_test {
namespace {

void append_be(std::string& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void append_block(std::string& out, const TzifSpec& spec, char version, int time_size) {
    std::vector<std::size_t> kept;  // transitions representable with this time size
    for (std::size_t i = 0; i < spec.transitions.size(); ++i) {
        const std::int64_t t = spec.transitions[i];
        if (time_size == 8 || (t >= std::numeric_limits<std::int32_t>::min() && t <= std::numeric_limits<std::int32_t>::max())) {
            kept.push_back(i);
        }
    }
    std::string chars;
    std::vector<std::size_t> desig;
    for (const TzifType& type : spec.types) {
        desig.push_back(chars.size());
        chars += type.abbreviation;
        chars.push_back('\0');
    }
    out += "TZif";
    out.push_back(version);
    out.append(15, '\0');
    append_be(out, spec.types.size(), 4);  // isutcnt
    append_be(out, spec.types.size(), 4);  // isstdcnt
    append_be(out, spec.leap_count, 4);
    append_be(out, kept.size(), 4);
    append_be(out, spec.types.size(), 4);
    append_be(out, chars.size(), 4);
    for (std::size_t i : kept) append_be(out, static_cast<std::uint64_t>(spec.transitions[i]), time_size);
    for (std::size_t i : kept) out.push_back(static_cast<char>(spec.transition_types[i]));
    for (std::size_t i = 0; i < spec.types.size(); ++i) {
        append_be(out, static_cast<std::uint32_t>(spec.types[i].utc_offset_s), 4);
        out.push_back(spec.types[i].dst ? '\1' : '\0');
        out.push_back(static_cast<char>(desig[i]));
    }
    out += chars;
    for (std::uint32_t i = 0; i < spec.leap_count; ++i) out.append(static_cast<std::size_t>(time_size) + 4, '\0');
    out.append(2 * spec.types.size(), '\0');  // isstd and isut indicators
}

}  // namespace

std::string build_tzif(const TzifSpec& spec) {
    std::string out;
    append_block(out, spec, spec.version, 4);
    if (spec.version == 0) return out;
    append_block(out, spec, spec.version, 8);
    out += "\n" + spec.footer + "\n";
    return out;
}

void put_u32(std::string& bytes, std::size_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes[at + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * (3 - i))) & 0xff);
}

ScratchDir::ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "gg-tz-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path ScratchDir::write(std::string_view name, std::string_view bytes) const {
    const std::filesystem::path file = path_ / std::filesystem::path(std::string(name));
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace gridgate::tz_test
