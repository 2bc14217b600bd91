// What a recording holds per DataType, and its name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "gridgate/files/pqdif.hpp"
#include "gridgate/files/pqdif_name.hpp"
#include "gridgate/sim/pqdif_recording.hpp"

using namespace gridgate;
using namespace gridgate::sim;

namespace {

constexpr TimestampUs event_us = 1'454'408'745'133'724;  // the manual's example, 2016-02-02T10:25:45.133724Z

PqdifRecordingOptions small_options() {
    PqdifRecordingOptions o;
    o.cycles = 4;
    o.samples_per_cycle = 16;
    return o;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

double rms(const std::vector<double>& v, std::size_t from, std::size_t to) {
    double sum = 0;
    for (std::size_t i = from; i < to; ++i) sum += v[i] * v[i];
    return std::sqrt(sum / static_cast<double>(to - from));
}

}  // namespace

TEST_CASE("recording names follow the meter's pattern and parse back", "[sim][pqdif]") {
    const PqdifRecording r = plan_pqdif_recording(PqdifRecordingOptions{}, PqdifRecordingType{7, 0}, event_us);
    CHECK(r.name == "142300003_1454408745_133724_07.pqd");
    const auto parsed = files::parse_pqdif_name(r.name);
    REQUIRE(parsed);
    CHECK(parsed->serial == "142300003");
    CHECK(parsed->time_us() == event_us);
    CHECK(parsed->type_bits == 7);
    CHECK(parsed->log_number == 0);
    CHECK(r.spec.title == r.name);
    CHECK(r.spec.serial == "142300003");
    CHECK(r.spec.created_us == event_us);

    PqdifRecordingOptions other;
    other.serial = "140800001";
    const PqdifRecording i = plan_pqdif_recording(other, PqdifRecordingType{32, 0}, 1'594'577'710'000'001);
    CHECK(i.name == "140800001_1594577710_1_32.pqd");
    CHECK(files::parse_pqdif_name(i.name)->type_bits == 32);
}

TEST_CASE("measurement-log recordings carry their log number before 08", "[sim][pqdif]") {
    const PqdifRecording r = plan_pqdif_recording(PqdifRecordingOptions{}, PqdifRecordingType{8, 2}, event_us);
    CHECK(r.name == "142300003_1454408745_133724_02_08.pqd");
    const auto parsed = files::parse_pqdif_name(r.name);
    REQUIRE(parsed);
    CHECK(parsed->type_bits == 8);
    CHECK(parsed->log_number == 2);
    REQUIRE(r.spec.observations.size() == 1);
    const auto& log = r.spec.observations[0];
    CHECK(log.quantity == files::PqdifQuantity::value_log);
    CHECK(log.start_us == event_us - 600'000'000);  // the 10-minute period ending at the file's time
    CHECK(log.channels.size() == 8);
    for (const auto& c : log.channels) CHECK(c.values.size() == 60);
    // Log 1 when the type says only "8".
    CHECK(plan_pqdif_recording(PqdifRecordingOptions{}, PqdifRecordingType{8, 0}, event_us).name ==
          "142300003_1454408745_133724_01_08.pqd");
}

TEST_CASE("each DataType bit brings its quantity", "[sim][pqdif]") {
    using V = std::vector<std::string>;
    CHECK(pqdif_quantities(1) == V{"mag_dur_time", "xy"});
    CHECK(pqdif_quantities(2) == V{"waveform"});
    CHECK(pqdif_quantities(4) == V{"phasor"});
    CHECK(pqdif_quantities(7) == V{"mag_dur_time", "xy", "waveform", "phasor"});
    CHECK(pqdif_quantities(8) == V{"value_log"});
    CHECK(pqdif_quantities(16) == V{"mag_dur_time"});
    CHECK(pqdif_quantities(38) == V{"mag_dur_time", "waveform", "phasor"});
    CHECK(pqdif_quantities(128) == V{"mag_dur_time", "xy", "waveform", "phasor", "value_log"});
    for (const std::uint32_t bits : {1u, 2u, 4u, 7u, 8u, 16u, 22u, 32u, 128u}) {
        const PqdifRecording r = plan_pqdif_recording(small_options(), PqdifRecordingType{bits, 0}, event_us);
        CHECK(r.spec.observations.size() == pqdif_quantities(bits).size());
    }
}

TEST_CASE("a waveform recording is three-phase sine waves with a sag in the middle", "[sim][pqdif]") {
    PqdifRecordingOptions o;  // 10 cycles x 128 samples
    const PqdifRecording r = plan_pqdif_recording(o, PqdifRecordingType{2, 0}, event_us);
    REQUIRE(r.spec.observations.size() == 1);
    const auto& w = r.spec.observations[0];
    CHECK(w.quantity == files::PqdifQuantity::waveform);
    CHECK(w.sample_interval_s == Approx(1.0 / 7680));
    CHECK(w.trigger_us == event_us);
    CHECK(w.start_us == event_us - 33'333);  // 2 pre-fault cycles at 60 Hz
    REQUIRE(w.channels.size() == 6);
    CHECK(w.channels[0].channel_name == "VA");
    CHECK(w.channels[0].measured == files::PqdifMeasured::voltage);
    CHECK(w.channels[3].measured == files::PqdifMeasured::current);
    for (const auto& c : w.channels) REQUIRE(c.values.size() == 1280);
    // Phase A: nominal before the event (cycles 0-1), sagged during it (cycles 2-6).
    const auto& va = w.channels[0].values;
    CHECK(rms(va, 0, 256) == Approx(120.0).epsilon(0.01));
    const double during = rms(va, 256, 896);
    CHECK(during > 0.45 * 120.0);
    CHECK(during < 0.86 * 120.0);
    CHECK(rms(va, 896, 1280) == Approx(120.0).epsilon(0.01));
    // Currents lag and stay near nominal.
    CHECK(rms(w.channels[3].values, 0, 256) == Approx(50.0).epsilon(0.02));
}

TEST_CASE("an interruption drops all three phases below 10 percent", "[sim][pqdif]") {
    const PqdifRecording r = plan_pqdif_recording(PqdifRecordingOptions{}, PqdifRecordingType{36, 0}, event_us);
    REQUIRE(r.spec.observations.size() == 2);
    const auto& mdt = r.spec.observations[0];
    CHECK(mdt.quantity == files::PqdifQuantity::mag_dur_time);
    CHECK(mdt.name.starts_with("Interruption "));
    REQUIRE(mdt.channels.size() == 3);
    for (const auto& c : mdt.channels) {
        REQUIRE(c.values.size() == 3);
        CHECK(c.values[0] < 12.0);                       // rms volts during the event
        CHECK(c.values[1] == Approx(5.0 / 60.0));       // 5 of 10 cycles
    }
    const auto& hsrms = r.spec.observations[1];
    CHECK(hsrms.quantity == files::PqdifQuantity::phasor);
    REQUIRE(hsrms.channels.size() == 9);
    CHECK(hsrms.channels[6].measured == files::PqdifMeasured::phase_angle);
    CHECK(hsrms.channels[0].values.size() == 20);  // two per cycle
    CHECK(hsrms.channels[0].values[0] == Approx(120.0).epsilon(0.01));
    CHECK(hsrms.channels[0].values[10] < 12.0);
}

TEST_CASE("recordings are deterministic for a seed and a time", "[sim][pqdif]") {
    const PqdifRecordingOptions o = small_options();
    const auto a = render_pqdif_recording(plan_pqdif_recording(o, PqdifRecordingType{7, 0}, event_us));
    const auto b = render_pqdif_recording(plan_pqdif_recording(o, PqdifRecordingType{7, 0}, event_us));
    CHECK(a == b);
    PqdifRecordingOptions other = o;
    other.seed = 2;
    const auto pa = plan_pqdif_recording(o, PqdifRecordingType{2, 0}, event_us);
    const auto pb = plan_pqdif_recording(other, PqdifRecordingType{2, 0}, event_us);
    CHECK(pa.spec.observations[0].channels[0].values != pb.spec.observations[0].channels[0].values);
}

TEST_CASE("recording files pass check_pqdif with their observations and quantities", "[sim][pqdif]") {
    for (const bool compress : {true, false}) {
        for (const PqdifRecordingType type : default_pqdif_types()) {
            PqdifRecordingOptions o = small_options();
            o.compress = compress;
            const PqdifRecording r = plan_pqdif_recording(o, type, event_us);
            const std::vector<std::byte> bytes = render_pqdif_recording(r);
            const files::PqdifSummary s = files::check_pqdif(bytes);
            INFO(r.name << (compress ? " compressed: " : " plain: ") << s.error);
            CHECK(s.well_formed);
            CHECK(s.compressed == compress);
            CHECK(s.observations == pqdif_quantities(type.bits).size());
            CHECK(sorted(s.quantity_types) == sorted(pqdif_quantities(type.bits)));
            REQUIRE_FALSE(s.observation_starts.empty());
            CHECK(s.last_start_us <= event_us);
        }
    }
    const auto daily = plan_pqdif_recording(small_options(), PqdifRecordingType{128, 0}, event_us);
    const files::PqdifSummary s = files::check_pqdif(render_pqdif_recording(daily));
    CHECK(s.well_formed);
    CHECK(s.observations == 5);
}

TEST_CASE("more cycles make bigger files and compression smaller ones", "[sim][pqdif]") {
    PqdifRecordingOptions o;
    o.compress = false;
    const auto ten = render_pqdif_recording(plan_pqdif_recording(o, PqdifRecordingType{2, 0}, event_us)).size();
    CHECK(ten > 10u * 128 * 6 * 8);  // 10 cycles x 128 samples x 6 channels of REAL8
    o.cycles = 20;
    const auto twenty = render_pqdif_recording(plan_pqdif_recording(o, PqdifRecordingType{2, 0}, event_us)).size();
    CHECK(twenty > ten + 10u * 128 * 6 * 8 - 64);
    o.compress = true;
    const auto packed = render_pqdif_recording(plan_pqdif_recording(o, PqdifRecordingType{2, 0}, event_us)).size();
    CHECK(packed < twenty);
}

TEST_CASE("DataType lists parse like the manual's table", "[sim][pqdif]") {
    std::vector<PqdifRecordingType> types;
    std::string error;
    REQUIRE(parse_pqdif_types("7,1,2,4,8,16,32,2_08,128,38", types, error));
    REQUIRE(types.size() == 10);
    CHECK(types[4] == PqdifRecordingType{8, 1});
    CHECK(types[7] == PqdifRecordingType{8, 2});
    CHECK(to_string(types[7]) == "2_08");
    CHECK(to_string(types[0]) == "7");
    for (const char* bad : {"", "0", "9", "17", "49", "3_07", "9_08", "64", "7,", "x"}) {
        INFO(bad);
        CHECK_FALSE(parse_pqdif_types(bad, types, error));
    }
    std::uint64_t bytes = 0;
    CHECK((parse_byte_size("500000", bytes) && bytes == 500000));
    CHECK((parse_byte_size("512k", bytes) && bytes == 512 * 1024));
    CHECK((parse_byte_size("2M", bytes) && bytes == 2u << 20));
    CHECK_FALSE(parse_byte_size("2T", bytes));
    CHECK_FALSE(parse_byte_size("", bytes));
}
