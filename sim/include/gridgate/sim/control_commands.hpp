#pragma once
// The control socket's line protocol, independent of the socket:
//   fault <meter> <fault> (see fault_usage)                            -> ok | error: ...
//   freeze <meter> on|off                                              -> ok | error: ...
//   stats                                                              -> one JSON line
//   help                                                               -> one line of usage
// and for DNP3 outstations (fault and freeze apply to them too; the Modbus-only fault
// "exception" is refused):
//   dnp3 freeze <meter>                 a register freeze now (frozen counters + events)
//   dnp3 drop-confirms <meter> on|off   ignore the master's application confirms
//   dnp3 restart <meter>                DEVICE_RESTART as after a restart
//   dnp3 clock <meter> <offset>         meter clock = system UTC + offset (-5s, +2m, 0)
//   dnp3 stats                          -> one JSON line (dnp3_stats_json)
// and for DLMS/COSEM meters:
//   dlms stats                          -> one JSON line (dlms_stats_json)
//   dlms profile <meter> [from_ms to_ms] -> the load profile as the meter holds it (JSON)
//   dlms clock <meter> <offset>         meter clock = system UTC + offset (-5s, +2m, 0)
//   dlms status <meter> <bits>          OR these status bits into the next interval's
//   dlms outage <meter> <duration>      a power outage from now (no intervals during it)
//   dlms link <meter> down|up           stop / resume answering (TCP and HDLC); the
//                                       profile goes on recording
// and for the meter's PQDIF folder (--pqdif-dir; replies may span lines, see pqdif_control.hpp):
//   pqdif make [type|next] [count]      recordings now -> their names, one per line
//   pqdif list                          -> "<name> <size>" per line, oldest first
//   pqdif grow <duration>               the next recording is written slowly over duration
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/dlms_meter.hpp"
#include "gridgate/sim/dnp3_outstation.hpp"
#include "gridgate/sim/pqdif_control.hpp"
#include "gridgate/sim/simulated_meter.hpp"

namespace gridgate::sim {

// Runs one command line (without its newline); returns the reply line (without one).
std::string run_control_command(std::string_view line, MeterFleet& fleet, SteadyTime now);
// The same with DNP3 outstations (`dnp3` may be null); `now` carries the system time
// their clocks need.
std::string run_control_command(std::string_view line, MeterFleet& fleet, Dnp3Fleet* dnp3, const Dnp3Now& now);
// The same with DLMS meters too (`dlms` may be null).
std::string run_control_command(std::string_view line, MeterFleet& fleet, Dnp3Fleet* dnp3, DlmsFleet* dlms,
                                const Dnp3Now& now);
// The same with the PQDIF folder too (`pqdif` may be null).
std::string run_control_command(std::string_view line, MeterFleet& fleet, Dnp3Fleet* dnp3, DlmsFleet* dlms,
                                PqdifControl* pqdif, const Dnp3Now& now);

// {"dnp3":{"dnp1":{"address":1,"port":20000,"fault":"none","drop_confirms":false,
//  "iin":"NEED_TIME","clock_offset_ms":-5000,"events_generated":8,...}}}
std::string dnp3_stats_json(const Dnp3Fleet& fleet, const Dnp3Now& now);

// {"dlms":{"dlms1":{"port":4059,"link":"up","clock_offset_ms":0,"associations":1,...,
//  "connections":1,...}},"lines":[{"device":"/dev/pts/4",...}]} ("lines" only with a serial
// line; meters on it show "bus" and "physical_id" and the HDLC counters instead).
std::string dlms_stats_json(const DlmsFleet& fleet, TimestampUs now_utc_us);

// {"meters":{"jem1":{"port":5020,"requests":12,...},"jem3":{"bus":"/dev/pts/4",
//  "address":3,...}},"buses":[{"device":"/dev/pts/4","line":"19200 8N1",...}]}
// ("buses" only when the fleet has RTU buses).
std::string stats_json(const MeterFleet& fleet);

}  // namespace gridgate::sim
