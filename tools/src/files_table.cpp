#include "files_table.hpp"

#include <iomanip>
#include <iostream>
#include <string>

namespace gridgate::tools {

namespace {

using json = nlohmann::json;

std::string text(const json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return "-";
    const json& v = j[key];
    if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
    return v.dump();
}

void print_spool(const json& spool) {
    std::cout << "SPOOL " << text(spool, "directory") << ": " << text(spool, "held_files") << " file(s), "
              << text(spool, "held_bytes") << " bytes";
    if (spool.value("quota_bytes", 0) != 0)
        std::cout << " of " << text(spool, "quota_bytes") << " (" << text(spool, "policy") << ")";
    std::cout << "; evicted " << text(spool, "evicted_delivered") << " delivered, "
              << text(spool, "evicted_undelivered") << " undelivered";
    if (spool.value("intake_stopped", false)) std::cout << "; INTAKE STOPPED (over quota)";
    std::cout << "\n\n"
              << std::left << std::setw(6) << "ID" << std::setw(12) << "METER" << std::setw(44) << "NAME"
              << std::setw(10) << "SIZE" << std::setw(11) << "SOURCE" << std::setw(10) << "STATE" << std::setw(6)
              << "PQDIF" << "SHA256\n";
    if (!spool.contains("files")) return;
    for (const auto& f : spool["files"]) {
        std::cout << std::setw(6) << text(f, "id") << std::setw(12) << text(f, "meter") << std::setw(44)
                  << text(f, "name") << std::setw(10) << text(f, "size") << std::setw(11) << text(f, "source")
                  << std::setw(10) << text(f, "state") << std::setw(6)
                  << (f.value("well_formed", false) ? "ok" : "BAD") << text(f, "sha256").substr(0, 16) << '\n';
        if (f.contains("deliveries"))
            for (const auto& d : f["deliveries"])
                std::cout << "        -> " << text(d, "sink") << " " << text(d, "remote_path") << " at "
                          << text(d, "at") << '\n';
    }
}

}  // namespace

void print_files(const json& files) {
    if (files.contains("spool")) print_spool(files["spool"]);
    if (files.contains("pulls") && !files["pulls"].empty()) {
        std::cout << '\n'
                  << std::setw(12) << "PULL METER" << std::setw(22) << "HOST" << std::setw(8) << "PULLS"
                  << std::setw(9) << "FAILED" << std::setw(8) << "TAKEN" << std::setw(10) << "ON METER"
                  << std::setw(10) << "UNTAKEN" << std::setw(8) << "FILL" << "LAST PULL\n";
        for (const auto& p : files["pulls"]) {
            std::cout << std::setw(12) << text(p, "meter") << std::setw(22) << text(p, "host") << std::setw(8)
                      << text(p, "pulls") << std::setw(9) << text(p, "failures") << std::setw(8)
                      << text(p, "files_taken") << std::setw(10) << text(p, "remote_files") << std::setw(10)
                      << text(p, "untaken_files") << std::setw(8) << text(p, "fill") << text(p, "last_pull")
                      << '\n';
            if (text(p, "last_error") != "-") std::cout << "        last error: " << text(p, "last_error") << '\n';
            if (p.value("fifo_warning", false))
                std::cout << "        WARNING: the meter's PQDIF storage is nearly full of files not yet taken\n";
        }
    }
    if (files.contains("inboxes") && !files["inboxes"].empty()) {
        std::cout << '\n' << std::setw(12) << "INBOX METER" << std::setw(48) << "DIRECTORY" << std::setw(8) << "TAKEN"
                  << std::setw(10) << "WAITING" << "LAST TAKEN\n";
        for (const auto& i : files["inboxes"])
            std::cout << std::setw(12) << text(i, "meter") << std::setw(48) << text(i, "directory") << std::setw(8)
                      << text(i, "files_taken") << std::setw(10) << text(i, "waiting") << text(i, "last_taken")
                      << '\n';
    }
    if (files.contains("sinks") && !files["sinks"].empty()) {
        std::cout << '\n' << std::setw(18) << "SINK" << std::setw(22) << "HOST" << std::setw(11) << "CONNECTED"
                  << std::setw(10) << "WINDOW" << std::setw(11) << "DELIVERED" << std::setw(9) << "RESUMES"
                  << std::setw(10) << "FAILURES" << "CURRENT\n";
        for (const auto& s : files["sinks"]) {
            std::string current = "-";
            if (s.contains("current") && s["current"].is_object())
                current = text(s["current"], "name") + " " + text(s["current"], "offset") + "/" +
                          text(s["current"], "size");
            std::cout << std::setw(18) << text(s, "sink") << std::setw(22) << text(s, "host") << std::setw(11)
                      << (s.value("connected", false) ? "yes" : "no") << std::setw(10)
                      << (s.value("in_window", true) ? "open" : "closed") << std::setw(11)
                      << text(s, "files_delivered") << std::setw(9) << text(s, "resumes") << std::setw(10)
                      << text(s, "failures") << current << '\n';
            if (text(s, "last_error") != "-") std::cout << "        last error: " << text(s, "last_error") << '\n';
        }
    }
    if (files.contains("alarms") && files["alarms"].is_object()) {
        const auto& a = files["alarms"];
        std::cout << "\nHTTPS NOTIFICATIONS on port " << text(a, "port") << ": " << text(a, "accepted")
                  << " stored, rejected " << text(a, "rejected_malformed") << " malformed, "
                  << text(a, "rejected_too_large") << " too large, " << text(a, "rejected_media_type")
                  << " wrong type, " << text(a, "rejected_other") << " other; " << text(a, "tls_failures")
                  << " TLS failures, " << text(a, "timeouts") << " timeouts\n";
    }
}

}  // namespace gridgate::tools
