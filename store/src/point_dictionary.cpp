#include "point_dictionary.hpp"

namespace gridgate::store {

PointDictionary::PointDictionary(sqlite::Database& db)
    : select_(db, "SELECT id FROM points WHERE meter = ?1 AND point = ?2 AND unit = ?3 AND source = ?4"),
      insert_(db, "INSERT INTO points(meter, point, unit, source) VALUES(?1, ?2, ?3, ?4) RETURNING id") {}

std::int64_t PointDictionary::id_for(const Reading& reading) {
    if (auto it = committed_.find(reading); it != committed_.end()) return it->second;
    if (auto it = staged_.find(reading); it != staged_.end()) return it->second;

    // Not cached: the row may exist from an earlier run, or be new.
    const auto source = static_cast<std::int64_t>(reading.source);
    std::int64_t id = 0;
    auto select = select_.run();
    select.bind(1, reading.meter).bind(2, reading.point).bind(3, reading.unit).bind(4, source);
    if (select.step()) {
        id = select.int64(0);
        // It was committed by an earlier transaction, so it is safe to cache for good.
        committed_.emplace(Key{reading.meter, reading.point, reading.unit, reading.source}, id);
        return id;
    }
    auto insert = insert_.run();
    insert.bind(1, reading.meter).bind(2, reading.point).bind(3, reading.unit).bind(4, source);
    insert.step();
    id = insert.int64(0);
    insert.execute();  // finish the statement so the row is fully written
    staged_.emplace(Key{reading.meter, reading.point, reading.unit, reading.source}, id);
    return id;
}

void PointDictionary::commit_staged() { committed_.merge(staged_); }

void PointDictionary::discard_staged() { staged_.clear(); }

}  // namespace gridgate::store
