// nlohmann's ordered_json keeps the fields in the documented order.
#include "sftp_notice.hpp"

#include <nlohmann/json.hpp>

namespace gridgate::northbound {

namespace {

using Json = nlohmann::ordered_json;

Json details_of(const std::string& text) {
    if (text.empty()) return Json::object();
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) return parsed;
    return Json{{"unparsed", text}};
}

}  // namespace

std::string make_file_notice(const SpooledFile& file, const FileNoticeFacts& facts) {
    Json notice;
    notice["gateway"] = std::string(facts.gateway_id);
    notice["meter"] = file.meter;
    notice["name"] = file.name;
    notice["size"] = file.size;
    notice["sha256"] = file.sha256;
    notice["remote_path"] = std::string(facts.remote_path);
    notice["sink"] = std::string(facts.sink);
    notice["received"] = format_iso8601_utc(file.received_us);
    notice["forwarded"] = format_iso8601_utc(facts.forwarded_us);
    notice["details"] = details_of(file.details_json);
    return notice.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gridgate::northbound
