#include <catch2/catch.hpp>
#include <string>

#include "gridgate/notify/multipart.hpp"

using namespace gridgate::notify;

namespace {
// Bodies are written with \n for readability and put on the wire with CRLF, as senders do.
std::string crlf(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\n') out += "\r\n";
        else out += c;
    }
    return out;
}
}  // namespace

TEST_CASE("multipart_boundary reads the boundary of multipart/form-data only", "[notify][multipart]") {
    CHECK(multipart_boundary("multipart/form-data; boundary=AaB03x") == "AaB03x");
    CHECK(multipart_boundary("Multipart/Form-Data;BOUNDARY=AaB03x") == "AaB03x");
    CHECK(multipart_boundary("multipart/form-data; boundary=\"with space and :?\"") == "with space and :?");
    CHECK(multipart_boundary("multipart/form-data; charset=utf-8; boundary=----=_Part_1") == "----=_Part_1");
    CHECK(multipart_boundary("multipart/form-data; boundary=\"" + std::string(70, 'b') + "\"") == std::string(70, 'b'));

    CHECK_FALSE(multipart_boundary("multipart/form-data"));                          // no boundary
    CHECK_FALSE(multipart_boundary("multipart/form-data; boundary="));               // empty
    CHECK_FALSE(multipart_boundary("multipart/form-data; boundary=\"\""));           // empty, quoted
    CHECK_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'b')));  // RFC 2046: 1..70
    CHECK_FALSE(multipart_boundary("multipart/form-data; boundary=\"ends with space \""));
    CHECK_FALSE(multipart_boundary("multipart/form-data; boundary=\"no*star\""));   // not a bchar
    CHECK_FALSE(multipart_boundary("multipart/form-data; boundary=\"unterminated"));
    CHECK_FALSE(multipart_boundary("multipart/mixed; boundary=AaB03x"));
    CHECK_FALSE(multipart_boundary("application/json"));
    CHECK_FALSE(multipart_boundary(""));
}

TEST_CASE("multipart: the RFC 7578 / HTML form example with a field and a file", "[notify][multipart]") {
    const auto body = crlf(
        "--AaB03x\n"
        "Content-Disposition: form-data; name=\"submit-name\"\n"
        "\n"
        "Larry\n"
        "--AaB03x\n"
        "Content-Disposition: form-data; name=\"files\"; filename=\"file1.txt\"\n"
        "Content-Type: text/plain\n"
        "\n"
        "... contents of file1.txt ...\n"
        "--AaB03x--\n");
    const auto r = parse_multipart(body, "AaB03x");
    REQUIRE(r.ok);
    REQUIRE(r.parts.size() == 2);
    CHECK(r.parts[0].name == "submit-name");
    CHECK(r.parts[0].filename.empty());
    CHECK(r.parts[0].content_type.empty());
    CHECK(r.parts[0].body == "Larry");
    CHECK(r.parts[1].name == "files");
    CHECK(r.parts[1].filename == "file1.txt");
    CHECK(r.parts[1].content_type == "text/plain");
    CHECK(r.parts[1].body == "... contents of file1.txt ...");
}

TEST_CASE("multipart: the meter's json_msg and pqdif_file parts, case-insensitive header names", "[notify][multipart]") {
    const auto body = crlf(
        "--b1\n"
        "content-disposition: form-data; name=json_msg\n"
        "CONTENT-TYPE: application/json\n"
        "\n"
        "{\"EventType\":\"PQD\"}\n"
        "--b1\n"
        "Content-Disposition: form-data; name=\"pqdif_file\"; filename=\"123_1566594000_0_1.pqd\"\n"
        "Content-Type: application/octet-stream\n"
        "\n"
        "PQDIF\n"
        "--b1--");  // no CRLF after the close delimiter: allowed
    const auto r = parse_multipart(body, "b1");
    REQUIRE(r.ok);
    REQUIRE(r.parts.size() == 2);
    CHECK(r.parts[0].name == "json_msg");
    CHECK(r.parts[0].content_type == "application/json");
    CHECK(r.parts[0].body == "{\"EventType\":\"PQD\"}");
    CHECK(r.parts[1].filename == "123_1566594000_0_1.pqd");
    CHECK(r.parts[1].body == "PQDIF");
}

TEST_CASE("multipart: the CRLF before a delimiter belongs to the delimiter, the part's own ones stay", "[notify][multipart]") {
    const auto body = crlf(
        "--x\n"
        "Content-Disposition: form-data; name=\"a\"\n"
        "\n"
        "\n"
        "line\n"
        "\n"
        "--x\n"
        "Content-Disposition: form-data; name=\"empty\"\n"
        "\n"
        "\n"
        "--x--\n");
    const auto r = parse_multipart(body, "x");
    REQUIRE(r.ok);
    REQUIRE(r.parts.size() == 2);
    CHECK(r.parts[0].body == "\r\nline\r\n");
    CHECK(r.parts[1].body.empty());
}

TEST_CASE("multipart: preamble, transport padding and epilogue are ignored", "[notify][multipart]") {
    const auto body = crlf(
        "This is the preamble. --x is not a delimiter here.\n"
        "--x \t\n"
        "Content-Disposition: form-data; name=\"a\"\n"
        "\n"
        "value\n"
        "--x--\n"
        "epilogue\n"
        "--x\n"
        "ignored\n");
    const auto r = parse_multipart(body, "x");
    REQUIRE(r.ok);
    REQUIRE(r.parts.size() == 1);
    CHECK(r.parts[0].body == "value");
}

TEST_CASE("multipart: a quoted boundary with spaces works end to end", "[notify][multipart]") {
    const auto boundary = multipart_boundary("multipart/form-data; boundary=\"gc0p4Jq0M2Yt08j34c0p\"");
    REQUIRE(boundary);
    const auto body = crlf("--gc0p4Jq0M2Yt08j34c0p\nContent-Disposition: form-data; name=\"a\"\n\n1\n--gc0p4Jq0M2Yt08j34c0p--\n");
    const auto r = parse_multipart(body, *boundary);
    REQUIRE(r.ok);
    CHECK(r.parts.at(0).body == "1");

    const auto spaced = multipart_boundary("multipart/form-data; boundary=\"a b\"");
    REQUIRE(spaced == "a b");
    const auto r2 = parse_multipart(crlf("--a b\nContent-Disposition: form-data; name=\"n\"\n\nv\n--a b--"), *spaced);
    REQUIRE(r2.ok);
    CHECK(r2.parts.at(0).body == "v");
}

TEST_CASE("multipart: binary file content with CR, LF, NUL and boundary-like bytes is kept exactly", "[notify][multipart]") {
    std::string file;
    for (int i = 0; i < 256; ++i) file.push_back(static_cast<char>(i));
    file += "\r\n--bound";            // a prefix of the delimiter
    file += "\r\n--boundaryX\r\n";    // the boundary followed by something else: content
    file += "y--boundary\r\n";        // not right after a CRLF: content
    file += "\r\n\r\n\n\r\r";
    file += std::string("\0\0--boundary--", 14);
    const std::string body = "--boundary\r\n"
                             "Content-Disposition: form-data; name=\"json_msg\"\r\n\r\n"
                             "{}\r\n"
                             "--boundary\r\n"
                             "Content-Disposition: form-data; name=\"pqdif_file\"; filename=\"f.pqd\"\r\n"
                             "Content-Type: application/octet-stream\r\n\r\n" +
                             file + "\r\n--boundary--\r\n";
    const auto r = parse_multipart(body, "boundary");
    REQUIRE(r.ok);
    REQUIRE(r.parts.size() == 2);
    CHECK(r.parts[1].body.size() == file.size());
    CHECK(r.parts[1].body == file);
}

TEST_CASE("multipart: malformed bodies are refused with a reason", "[notify][multipart]") {
    const std::string part = "Content-Disposition: form-data; name=\"a\"\r\n\r\nv";
    auto refused = [](std::string_view body, std::string_view boundary = "x", MultipartLimits limits = {}) {
        const auto r = parse_multipart(body, boundary, limits);
        CHECK_FALSE(r.ok);
        CHECK(r.parts.empty());
        CHECK_FALSE(r.error.empty());
        return r.error;
    };
    CHECK(refused("--x\r\n" + part) == "missing close delimiter");
    CHECK(refused("--x\r\n" + part + "\r\n--x") == "missing close delimiter");  // truncated delimiter
    CHECK(refused("--x\r\n" + part + "\r\n--xy--") == "missing close delimiter");
    CHECK(refused("no delimiter at all") == "no boundary delimiter in the body");
    CHECK(refused("--x--\r\n") == "no parts");
    CHECK(refused("--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--") == "part without a name");
    CHECK(refused("--x\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--x--") == "part without a name");
    CHECK(refused("--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--") == "part without Content-Disposition");
    CHECK(refused("--x\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--x--") ==
          "part disposition is not form-data");
    CHECK(refused("--x\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--x--") == "malformed Content-Disposition");
    CHECK(refused("--x\r\n" + std::string("not a header\r\n") + part + "\r\n--x--") == "malformed part header line");
    CHECK(refused("--x\r\n\r\nv\r\n--x--") == "part without headers (no Content-Disposition)");
    CHECK(refused("--x\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nv\r\n--x--") ==
          "part with two Content-Disposition headers");
    // Bare LF line ends are not MIME: the header block never ends.
    CHECK(refused("--x\nContent-Disposition: form-data; name=\"a\"\n\nv\n--x--\n") == "no boundary delimiter in the body");
    CHECK(refused("--x\r\nContent-Disposition: form-data; name=\"a\"\n\nv\r\n--x--\r\n") == "part header not terminated");
    CHECK(refused("", "x") == "no boundary delimiter in the body");
    CHECK(refused("--\r\n", "") == "empty boundary");
}

TEST_CASE("multipart: limits on parts and part headers", "[notify][multipart]") {
    std::string body;
    for (int i = 0; i < 9; ++i) body += "--x\r\nContent-Disposition: form-data; name=\"p" + std::to_string(i) + "\"\r\n\r\nv\r\n";
    body += "--x--\r\n";
    const auto nine = parse_multipart(body, "x");
    CHECK_FALSE(nine.ok);
    CHECK(nine.error == "more than 8 parts");
    CHECK(parse_multipart(body, "x", MultipartLimits{9, 4096}).ok);

    const std::string long_header = "--x\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: " + std::string(5000, 'p') +
                                    "\r\n\r\nv\r\n--x--\r\n";
    const auto r = parse_multipart(long_header, "x");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "part header too long");
    CHECK(parse_multipart(long_header, "x", MultipartLimits{8, 8192}).ok);
}
