// The meter's requests as curl sends them, and every refusal the receiver makes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "receiver_fixture.hpp"

using namespace gridgate::notify;
using namespace gridgate::notify::testing;
using namespace std::chrono_literals;

namespace {
std::vector<std::string> post_json(const std::string& body, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-H", "Content-Type: application/json", "--data-binary", body};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}
}  // namespace

TEST_CASE("receiver: a JSON notification is handed over whole and answered 200", "[notify][receiver]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    const std::string body =
        R"({"EventType":"OU","DeviceId":"meter-7","EventId":"e1","EventTime":"2019-08-23T17:00:00-04:00","Owner":"x","Properties":{"Outage":"3-phase"}})";
    const auto r = f.curl(post_json(body, {"-H", "Content-Type: application/json; charset=utf-8"}));
    CHECK(r.exit_code == 0);
    CHECK(r.http_status == 200);
    REQUIRE(f.handler.count() == 1);
    const auto d = f.handler.deliveries().front();
    CHECK(d.peer.rfind("127.0.0.1:", 0) == 0);
    CHECK(d.client_subject.empty());
    CHECK(d.notification.event_type == "OU");
    CHECK(d.notification.device_id == "meter-7");
    CHECK(d.notification.event_id == "e1");
    CHECK(d.notification.event_time_us == 1566594000LL * 1000000);
    CHECK(nlohmann::json::parse(d.notification.json) == nlohmann::json::parse(body));
    CHECK_FALSE(d.file);
    const auto s = f.receiver->stats();
    CHECK(s.connections == 1);
    CHECK(s.requests == 1);
    CHECK(s.accepted == 1);
    CHECK(s.rejected_malformed + s.rejected_too_large + s.rejected_media_type + s.rejected_other == 0);
}

TEST_CASE("receiver: multipart with a binary PQDIF file arrives byte for byte", "[notify][receiver]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    const auto file = binary_file_bytes(300 * 1024);
    const auto file_path = f.write_file("upload.bin", file);
    const auto json_path = f.write_file("msg.json", R"({"EventType":"PQD","MV 90 Meter ID":"mv-1","Properties":{"PQDIF File":""}})");

    SECTION("json_msg typed application/json") {
        const auto r = f.curl({"-F", "json_msg=<" + json_path.string() + ";type=application/json", "-F",
                               "pqdif_file=@" + file_path.string() + ";filename=123456_1566594000_250_3.pqd"});
        CHECK(r.http_status == 200);
    }
    SECTION("json_msg without a content type, and forced Expect: 100-continue") {
        const auto r = f.curl({"-H", "Expect: 100-continue", "-F", "json_msg=<" + json_path.string(), "-F",
                               "pqdif_file=@" + file_path.string() + ";filename=123456_1566594000_250_3.pqd"});
        CHECK(r.http_status == 200);
        CHECK(r.trace.find("HTTP/1.1 100 Continue") != std::string::npos);
    }
    REQUIRE(f.handler.count() == 1);
    const auto d = f.handler.deliveries().front();
    CHECK(d.notification.event_type == "PQD");
    CHECK(d.notification.device_id == "mv-1");
    REQUIRE(d.file);
    CHECK(d.file->filename == "123456_1566594000_250_3.pqd");
    CHECK(d.file->bytes.size() == file.size());
    CHECK(d.file->bytes == file);
}

TEST_CASE("receiver: oversized bodies get 413 before the handler, with and without Expect", "[notify][receiver]") {
    auto options = ReceiverFixture::default_options();
    options.max_body_bytes = 64 * 1024;
    ReceiverFixture f(options);
    const auto big = f.write_file("big.bin", binary_file_bytes(200 * 1024));
    const auto json_path = f.write_file("msg.json", R"({"EventType":"PQD"})");
    const std::vector<std::string> form{"-F", "json_msg=<" + json_path.string(), "-F", "pqdif_file=@" + big.string()};

    SECTION("Expect: 100-continue is answered 413, never 100") {
        auto args = form;
        args.insert(args.end(), {"-H", "Expect: 100-continue"});
        const auto r = f.curl(args);
        CHECK(r.http_status == 413);
        CHECK(r.trace.find("100 Continue") == std::string::npos);
    }
    SECTION("no Expect: the body is on its way, the 413 still arrives") {
        auto args = form;
        args.insert(args.end(), {"-H", "Expect:"});
        const auto r = f.curl(args);
        CHECK(r.http_status == 413);
    }
    SECTION("chunked: refused when the limit is crossed") {
        const auto r = f.curl({"-H", "Content-Type: application/json", "-H", "Transfer-Encoding: chunked",
                               "--data-binary", "@" + big.string()});
        CHECK(r.http_status == 413);
    }
    SECTION("a JSON body over max_json_bytes") {
        const auto json = f.write_file("big.json", R"({"EventType":"OU","pad":")" + std::string(70 * 1024 - 100, 'p') + "\"}");
        const auto r = f.curl({"-H", "Content-Type: application/json", "--data-binary", "@" + json.string()});
        CHECK(r.http_status == 413);
    }
    CHECK(f.handler.count() == 0);
    CHECK(f.receiver->stats().rejected_too_large == 1);
    CHECK(f.logger.count("rejected request from 127.0.0.1:") == 1);

    // The receiver is still fine afterwards.
    CHECK(f.curl(post_json(R"({"EventType":"CFG"})")).http_status == 200);
}

TEST_CASE("receiver: malformed JSON and multipart get 400 with a short reason", "[notify][receiver]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    const auto r = f.curl(post_json(R"({"EventType":"OU","secret-marker":)"));
    CHECK(r.http_status == 400);
    CHECK(r.body.rfind("malformed JSON at byte", 0) == 0);
    CHECK(f.curl(post_json(R"(["EventType"])")).http_status == 400);
    const auto no_type = f.curl(post_json(R"({"DeviceId":"m"})"));
    CHECK(no_type.http_status == 400);
    CHECK(no_type.body == "no EventType\n");
    const auto no_json = f.curl({"-F", "pqdif_file=@" + f.write_file("f.pqd", "x").string()});
    CHECK(no_json.http_status == 400);
    CHECK(no_json.body == "multipart without a json_msg part\n");

    CHECK(f.handler.count() == 0);
    CHECK(f.receiver->stats().rejected_malformed == 4);
    CHECK(f.logger.count("rejected request from 127.0.0.1:") == 4);
    CHECK(f.logger.count("secret-marker") == 0);  // reasons, never bodies
}

TEST_CASE("receiver: wrong content type 415, GET 405, wrong path 404", "[notify][receiver]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    CHECK(f.curl({"-H", "Content-Type: text/plain", "--data-binary", R"({"EventType":"OU"})"}).http_status == 415);
    CHECK(f.curl({"-H", "Content-Type: multipart/form-data", "--data-binary", "x"}).http_status == 415);
    CHECK(f.curl({"-H", "Content-Type: application/json", "-H", "Expect: 100-continue", "--data-binary",
                  R"({"EventType":"OU"})"}, "/elsewhere").http_status == 404);
    const auto get = f.curl({});
    CHECK(get.http_status == 405);
    CHECK(get.trace.find("< Allow: POST") != std::string::npos);
    CHECK(f.handler.count() == 0);
    const auto s = f.receiver->stats();
    CHECK(s.rejected_media_type == 2);
    CHECK(s.rejected_other == 2);
    CHECK(s.requests == 4);
}

TEST_CASE("receiver: the handler's status is the reply (503 when it could not store)", "[notify][receiver]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    f.handler.reply_with(AlarmReply{503, "store busy"});
    const auto r = f.curl(post_json(R"({"EventType":"TS"})"));
    CHECK(r.http_status == 503);
    CHECK(r.body == "store busy\n");
    CHECK(f.handler.count() == 1);
    const auto s = f.receiver->stats();
    CHECK(s.handler_errors == 1);
    CHECK(s.accepted == 0);
}
