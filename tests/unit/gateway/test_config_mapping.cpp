#include <catch2/catch.hpp>

#include "config_mapping.hpp"

using namespace gridgate;
using namespace gridgate::gateway;

TEST_CASE("JEMStar auto-scaled analogs map to the manual's scaling") {
    PointConfig p;
    p.name = "ia";
    p.table = PointTable::input_register;
    p.type = PointType::s16;
    p.full_scale = 20.0;
    p.unit = "A";
    const auto d = to_point_def(p);
    // Manual worked example: 12.56 A on a 0-20 A range reads 20578.
    CHECK(20578 * d.scale == Approx(12.56).epsilon(1e-4));
    CHECK(d.table == modbus::Table::input_register);
    CHECK(d.type == modbus::DataType::s16);

    // Polyphase watts 1825.438 on 0-31800 with scale factor 10 reads 18809.
    p.full_scale = 31800.0;
    p.scale_factor = 10.0;
    CHECK(18809 * to_point_def(p).scale == Approx(1825.438).epsilon(1e-4));
}

TEST_CASE("counters keep their plain scale") {
    PointConfig p;
    p.name = "wh_del";
    p.type = PointType::u32;
    p.scale = 0.001;
    const auto d = to_point_def(p);
    CHECK(d.scale == 0.001);
    CHECK(d.type == modbus::DataType::u32);
    CHECK(d.table == modbus::Table::holding_register);
}

TEST_CASE("meter options carry the block limits and timeouts") {
    MeterConfig m;
    m.id = "jem1";
    m.unit_id = 7;
    m.max_block_registers = 60;
    m.max_gap = 4;
    m.response_timeout = std::chrono::milliseconds(700);
    const auto o = to_meter_options(m);
    CHECK(o.meter_id == "jem1");
    CHECK(o.unit_id == 7);
    CHECK(o.plan.max_registers == 60);
    CHECK(o.plan.max_gap == 4);
    CHECK(o.response_timeout == std::chrono::milliseconds(700));
}

TEST_CASE("MQTT client id defaults from the gateway id") {
    GatewayConfig g;
    g.id = "site-01";
    CHECK(to_mqtt_options(g, "").client_id == "gridgate-site-01");
    g.mqtt.client_id = "custom";
    CHECK(to_mqtt_options(g, "pw").client_id == "custom");
    CHECK(to_mqtt_options(g, "pw").password == "pw");
}

TEST_CASE("points are grouped by priority, high first, keeping their order") {
    MeterConfig m;
    m.id = "jem1";
    for (const auto& [name, prio] : std::vector<std::pair<std::string, PointPriority>>{
             {"va", PointPriority::normal}, {"wh_del", PointPriority::high}, {"thd", PointPriority::low},
             {"vb", PointPriority::normal}, {"wh_rec", PointPriority::high}}) {
        PointConfig p;
        p.name = name;
        p.priority = prio;
        m.points.push_back(p);
    }
    const auto groups = priority_groups(m);
    REQUIRE(groups.size() == 3);
    CHECK(groups[0].priority == PointPriority::high);
    CHECK(groups[0].points.size() == 2);
    CHECK(groups[0].points[0].name == "wh_del");
    CHECK(groups[0].points[1].name == "wh_rec");
    CHECK(groups[1].points[0].name == "va");
    CHECK(groups[1].points[1].name == "vb");
    CHECK(groups[2].priority == PointPriority::low);
    CHECK(groups[2].points[0].name == "thd");
    CHECK(groups[2].options.meter_id == "jem1");

    m.points.erase(m.points.begin() + 2);  // no low points: no low group
    CHECK(priority_groups(m).size() == 2);
}
