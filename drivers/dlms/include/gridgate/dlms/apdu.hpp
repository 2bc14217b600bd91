#pragma once
// xDLMS application layer APDUs with logical-name referencing, no ciphering (IEC 62056-5-3):
// the ACSE association APDUs (AARQ/AARE, RLRQ/RLRE, BER-encoded, with the xDLMS
// InitiateRequest/InitiateResponse in their user-information) and the GET and SET services
// (A-XDR). Both directions are here: the client encodes requests and decodes responses;
// the simulator decodes requests and encodes responses.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gridgate/dlms/axdr.hpp"
#include "gridgate/dlms/cosem_time.hpp"
#include "gridgate/dlms/obis.hpp"

namespace gridgate::dlms {

enum class ApduTag : std::uint8_t {
    aarq = 0x60,
    aare = 0x61,
    rlrq = 0x62,
    rlre = 0x63,
    get_request = 0xC0,
    set_request = 0xC1,
    get_response = 0xC4,
    set_response = 0xC5,
    exception_response = 0xD8,
    confirmed_service_error = 0x0E,
};

// A decode result: the value, or why not.
template <class T>
struct Parsed {
    std::optional<T> value;
    std::string error;
    explicit operator bool() const { return value.has_value(); }
};

// ---- Conformance block (24 bits; bit n of the standard is 1 << (23 - n) here) ----
namespace conformance {
inline constexpr std::uint32_t block_transfer_with_get = 1u << (23 - 11);
inline constexpr std::uint32_t block_transfer_with_set = 1u << (23 - 12);
inline constexpr std::uint32_t multiple_references = 1u << (23 - 14);  // GET/SET with list
inline constexpr std::uint32_t get = 1u << (23 - 19);
inline constexpr std::uint32_t set = 1u << (23 - 20);
inline constexpr std::uint32_t selective_access = 1u << (23 - 21);
inline constexpr std::uint32_t action = 1u << (23 - 23);
// What the gateway proposes: GET, SET, selective access, block transfer with GET,
// multiple references.
inline constexpr std::uint32_t client_proposal =
    get | set | selective_access | block_transfer_with_get | multiple_references;
}  // namespace conformance

// ---- Association (ACSE) ----
enum class Authentication : std::uint8_t { none = 0, low = 1 };  // no security, LLS (password)

struct InitiateRequest {
    std::uint8_t dlms_version = 6;
    std::uint32_t conformance = conformance::client_proposal;
    std::uint16_t max_receive_pdu = 0xFFFF;  // the largest APDU the client accepts
    friend bool operator==(const InitiateRequest&, const InitiateRequest&) = default;
};

struct InitiateResponse {
    std::uint8_t dlms_version = 6;
    std::uint32_t conformance = 0;           // what the server grants
    std::uint16_t max_receive_pdu = 0;       // the largest APDU the server accepts
    std::uint16_t vaa_name = 0x0007;         // LN referencing
    friend bool operator==(const InitiateResponse&, const InitiateResponse&) = default;
};

struct Aarq {
    bool ln_referencing = true;  // application context LN, no ciphering (2.16.756.5.8.1.1); else SN or ciphered
    Authentication authentication = Authentication::none;
    std::vector<std::uint8_t> password;  // calling-authentication-value (LLS)
    InitiateRequest initiate;
    friend bool operator==(const Aarq&, const Aarq&) = default;
};

// AARE result and diagnostics.
enum class AssociationResult : std::uint8_t { accepted = 0, rejected_permanent = 1, rejected_transient = 2 };
namespace acse_diagnostic {  // acse-service-user values
inline constexpr std::uint8_t null = 0;
inline constexpr std::uint8_t no_reason = 1;
inline constexpr std::uint8_t application_context_not_supported = 2;
inline constexpr std::uint8_t mechanism_not_recognised = 11;
inline constexpr std::uint8_t mechanism_required = 12;
inline constexpr std::uint8_t authentication_failure = 13;
inline constexpr std::uint8_t authentication_required = 14;
}  // namespace acse_diagnostic
const char* describe_acse_diagnostic(std::uint8_t diagnostic);  // "authentication failure (wrong password)", ...

struct Aare {
    bool ln_referencing = true;
    AssociationResult result = AssociationResult::accepted;
    bool diagnostic_from_provider = false;  // acse-service-provider instead of -user
    std::uint8_t diagnostic = acse_diagnostic::null;
    std::optional<InitiateResponse> initiate;   // when accepted
    // When the xDLMS initiate was refused: the confirmedServiceError's initiate error code
    // (e.g. 1 = dlms-version-too-low, 3 = pdu-size-too-short, 2 = incompatible-conformance).
    std::optional<std::uint8_t> initiate_error;
    friend bool operator==(const Aare&, const Aare&) = default;
};

std::vector<std::uint8_t> encode_aarq(const Aarq& aarq);
Parsed<Aarq> decode_aarq(std::span<const std::uint8_t> apdu);
std::vector<std::uint8_t> encode_aare(const Aare& aare);
Parsed<Aare> decode_aare(std::span<const std::uint8_t> apdu);

// RLRQ / RLRE with reason normal (0): 62 03 80 01 00 and 63 03 80 01 00.
std::vector<std::uint8_t> encode_rlrq();
std::vector<std::uint8_t> encode_rlre();
bool is_rlrq(std::span<const std::uint8_t> apdu);
bool is_rlre(std::span<const std::uint8_t> apdu);

// ---- GET / SET ----
struct AttributeDescriptor {
    std::uint16_t class_id = 0;
    Obis instance;
    std::int8_t attribute = 2;
    friend bool operator==(const AttributeDescriptor&, const AttributeDescriptor&) = default;
};

struct SelectiveAccess {
    std::uint8_t selector = 1;  // 1: range_descriptor, 2: entry_descriptor
    Data parameters;
    friend bool operator==(const SelectiveAccess&, const SelectiveAccess&) = default;
};

// Profile-generic buffer selections (Blue Book, class 7, attribute 2):
// by range: structure { restricting_object = structure { class 8, clock LN, attribute 2,
//   data index 0 }, from_value, to_value (date-time as octet-strings), selected_values =
//   empty array (all columns) };
SelectiveAccess range_descriptor(const CosemDateTime& from, const CosemDateTime& to,
                                 const AttributeDescriptor& restricting = {8, obis::clock, 2});
// by entry: structure { from_entry, to_entry (double-long-unsigned, 1-based, 0 = to the
//   last), from_selected_value = 1, to_selected_value = 0 (all columns) }.
SelectiveAccess entry_descriptor(std::uint32_t from_entry, std::uint32_t to_entry);

// What a server makes of a selective access (the simulator).
struct RangeSelection {
    AttributeDescriptor restricting;
    CosemDateTime from;
    CosemDateTime to;
    std::uint16_t selected_columns = 0;  // elements of selected_values (0 = all)
};
struct EntrySelection {
    std::uint32_t from_entry = 1;
    std::uint32_t to_entry = 0;
    std::uint16_t from_column = 1;
    std::uint16_t to_column = 0;
};
Parsed<RangeSelection> parse_range_descriptor(const Data& parameters);
Parsed<EntrySelection> parse_entry_descriptor(const Data& parameters);

// Data-Access-Result values.
enum class AccessResult : std::uint8_t {
    success = 0,
    hardware_fault = 1,
    temporary_failure = 2,
    read_write_denied = 3,
    object_undefined = 4,
    object_class_inconsistent = 9,
    object_unavailable = 11,
    type_unmatched = 12,
    scope_of_access_violated = 13,
    data_block_unavailable = 14,
    long_get_aborted = 15,
    no_long_get_in_progress = 16,
    data_block_number_invalid = 19,
    other_reason = 250,
};
const char* to_string(AccessResult r);  // "read-write-denied", ...

struct GetItem {
    AttributeDescriptor attribute;
    std::optional<SelectiveAccess> access;
    friend bool operator==(const GetItem&, const GetItem&) = default;
};

// invoke_id_priority: invoke id in the low 4 bits, 0x40 service class confirmed, 0x80
// priority high. The gateway sends 0xC1.. (high, confirmed).
struct GetRequest {
    enum class Kind : std::uint8_t { normal = 1, next = 2, with_list = 3 };
    Kind kind = Kind::normal;
    std::uint8_t invoke_id_priority = 0xC1;
    GetItem item;                // normal
    std::uint32_t block_number = 0;  // next: the block last received
    std::vector<GetItem> list;   // with_list
    friend bool operator==(const GetRequest&, const GetRequest&) = default;
};

// One result of a GET: data, or an access result other than success.
struct GetResult {
    std::optional<Data> data;
    AccessResult result = AccessResult::success;
    friend bool operator==(const GetResult&, const GetResult&) = default;
};

struct GetResponse {
    enum class Kind : std::uint8_t { normal = 1, with_datablock = 2, with_list = 3 };
    Kind kind = Kind::normal;
    std::uint8_t invoke_id_priority = 0xC1;
    GetResult result;            // normal
    // with_datablock: a part of the encoded result (a Data, or for a list the count and
    // the Get-Data-Results), or an access result that ends the transfer.
    bool last_block = false;
    std::uint32_t block_number = 0;
    std::vector<std::uint8_t> raw_data;
    std::optional<AccessResult> block_result;  // set: the transfer failed
    std::vector<GetResult> list;  // with_list
    friend bool operator==(const GetResponse&, const GetResponse&) = default;
};

std::vector<std::uint8_t> encode_get_request(const GetRequest& r);
Parsed<GetRequest> decode_get_request(std::span<const std::uint8_t> apdu);
std::vector<std::uint8_t> encode_get_response(const GetResponse& r);
// A GET-Response-Normal or -With-List has its data decoded; a block keeps its raw part.
Parsed<GetResponse> decode_get_response(std::span<const std::uint8_t> apdu, const AxdrLimits& limits = {});

// The server's side of block transfer (the simulator): splits an encoded result (as
// encode_data() or encode_get_result_list() give it) into GET-Response-With-Datablock
// APDUs no longer than max_apdu octets each (9 header octets: C4 02 iip last-block
// block-number(4) 00, then the raw-data length and the raw octets), numbered from 1, the
// last with last-block set. A server sends a result that fits max_apdu as one
// GET-Response-Normal instead and calls this only when it does not. Throws
// std::invalid_argument when max_apdu leaves no room for one raw octet (< 11).
std::vector<std::vector<std::uint8_t>> split_into_blocks(std::uint8_t invoke_id_priority,
                                                         std::span<const std::uint8_t> encoded_result,
                                                         std::size_t max_apdu);
std::vector<std::uint8_t> encode_get_result_list(const std::vector<GetResult>& results);
// The client's side: the reassembled raw data of a normal GET (one Data) or of a GET with
// list (count then Get-Data-Results).
Parsed<Data> decode_block_result(std::span<const std::uint8_t> raw, const AxdrLimits& limits = {});
Parsed<std::vector<GetResult>> decode_block_result_list(std::span<const std::uint8_t> raw,
                                                         const AxdrLimits& limits = {});

struct SetRequest {
    std::uint8_t invoke_id_priority = 0xC1;
    AttributeDescriptor attribute;
    std::optional<SelectiveAccess> access;
    Data value;
    friend bool operator==(const SetRequest&, const SetRequest&) = default;
};
struct SetResponse {
    std::uint8_t invoke_id_priority = 0xC1;
    AccessResult result = AccessResult::success;
    friend bool operator==(const SetResponse&, const SetResponse&) = default;
};
// SET-Request-Normal (C1 01) and SET-Response-Normal (C5 01) only: the meter allows SET of
// the clock's time alone, which always fits one APDU.
std::vector<std::uint8_t> encode_set_request(const SetRequest& r);
Parsed<SetRequest> decode_set_request(std::span<const std::uint8_t> apdu);
std::vector<std::uint8_t> encode_set_response(const SetResponse& r);
Parsed<SetResponse> decode_set_response(std::span<const std::uint8_t> apdu);

// EXCEPTION-Response (D8 state-error service-error) and confirmedServiceError (0E ...):
// what a server answers to a request it cannot take.
struct ExceptionResponse {
    std::uint8_t state_error = 1;    // 1 service-not-allowed, 2 service-unknown
    std::uint8_t service_error = 2;  // 1 operation-not-possible, 2 service-not-supported, 3 other-reason, ...
    friend bool operator==(const ExceptionResponse&, const ExceptionResponse&) = default;
};
std::vector<std::uint8_t> encode_exception_response(const ExceptionResponse& e);
Parsed<ExceptionResponse> decode_exception_response(std::span<const std::uint8_t> apdu);

// One line for traces: "GET-Request-Normal id=1 3/1.0.1.8.0.255/2", "AARE accepted pdu=512",
// "GET-Response-With-Datablock id=1 block=3 last=0 raw=489", ...
std::string describe_apdu(std::span<const std::uint8_t> apdu);

}  // namespace gridgate::dlms
