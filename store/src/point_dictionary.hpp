#pragma once
// The in-memory cache of the `points` table: (meter, point, unit, source) -> id, so a
// reading row stores one small integer instead of three strings. Ids created inside an
// append transaction are staged and join the cache only when that transaction commits,
// so a rolled-back append cannot leave the cache pointing at rows that do not exist.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "gridgate/core/reading.hpp"
#include "sqlite.hpp"

namespace gridgate::store {

class PointDictionary {
public:
    explicit PointDictionary(sqlite::Database& db);

    // Id of the reading's point, looked up or inserted. Call inside a write transaction.
    std::int64_t id_for(const Reading& reading);
    void commit_staged();   // the transaction committed
    void discard_staged();  // the transaction rolled back

    std::size_t cached() const { return committed_.size(); }

private:
    struct Key {
        std::string meter;
        std::string point;
        std::string unit;
        Source source;
    };
    using KeyView = std::tuple<std::string_view, std::string_view, std::string_view, Source>;
    static KeyView view(const Key& k) { return {k.meter, k.point, k.unit, k.source}; }
    static KeyView view(const Reading& r) { return {r.meter, r.point, r.unit, r.source}; }
    // Transparent, so a lookup by Reading copies no strings.
    struct Less {
        using is_transparent = void;
        bool operator()(const auto& a, const auto& b) const { return view(a) < view(b); }
    };
    using Map = std::map<Key, std::int64_t, Less>;

    sqlite::Statement select_;
    sqlite::Statement insert_;
    Map committed_;
    Map staged_;
};

}  // namespace gridgate::store
