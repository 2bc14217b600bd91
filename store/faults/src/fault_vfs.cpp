#include "gridgate/store/fault_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace gridgate::store::faults {

namespace {

constexpr const char* shim_name = "gg-faults";

std::atomic<std::uint64_t> space_limit{0};
std::atomic<bool> fail_writes{false};
std::atomic<bool> fail_syncs{false};
std::atomic<std::int64_t> sync_delay_us{0};
std::atomic<std::uint64_t> writes{0};
std::atomic<std::uint64_t> writes_refused{0};
std::atomic<std::uint64_t> syncs{0};
std::atomic<std::uint64_t> syncs_refused{0};

// Sizes of the named files opened through the shim: the "filesystem" the limit applies to.
std::mutex space_mutex;
std::map<std::string, std::uint64_t> file_sizes;
std::uint64_t total_size = 0;

void set_size_locked(const std::string& path, std::uint64_t size) {
    auto [it, inserted] = file_sizes.try_emplace(path, 0);
    total_size = total_size - it->second + size;
    it->second = size;
}

sqlite3_vfs* real_vfs() { return static_cast<sqlite3_vfs*>(sqlite3_vfs_find(shim_name)->pAppData); }

// SQLite allocates szOsFile bytes per open file: this header, then the real VFS's file.
struct ShimFile {
    sqlite3_file base;  // first: SQLite sees a ShimFile* as a sqlite3_file*
    sqlite3_file* real;
    std::string* path;  // null for anonymous temporary files
};

ShimFile* shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return shim(f)->real; }

int shim_close(sqlite3_file* f) {
    const int rc = real(f)->pMethods->xClose(real(f));
    delete shim(f)->path;
    shim(f)->path = nullptr;
    return rc;
}

int shim_read(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
    return real(f)->pMethods->xRead(real(f), buffer, amount, offset);
}

int shim_write(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
    if (fail_writes.load()) {
        ++writes_refused;
        return SQLITE_FULL;
    }
    const std::string* path = shim(f)->path;
    if (path == nullptr) {
        ++writes;
        return real(f)->pMethods->xWrite(real(f), buffer, amount, offset);
    }
    // Held across the write, so two connections cannot both take the last free bytes.
    std::lock_guard lock(space_mutex);
    const std::uint64_t current = file_sizes[*path];
    const auto end = static_cast<std::uint64_t>(offset) + static_cast<std::uint64_t>(amount);
    const std::uint64_t limit = space_limit.load();
    if (limit != 0 && end > current && total_size - current + end > limit) {
        ++writes_refused;
        return SQLITE_FULL;
    }
    ++writes;
    const int rc = real(f)->pMethods->xWrite(real(f), buffer, amount, offset);
    if (rc == SQLITE_OK && end > current) set_size_locked(*path, end);
    return rc;
}

int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
    const int rc = real(f)->pMethods->xTruncate(real(f), size);
    if (rc == SQLITE_OK && shim(f)->path != nullptr) {
        std::lock_guard lock(space_mutex);
        set_size_locked(*shim(f)->path, static_cast<std::uint64_t>(size));
    }
    return rc;
}

int shim_sync(sqlite3_file* f, int flags) {
    if (const auto delay = sync_delay_us.load(); delay > 0) std::this_thread::sleep_for(Duration(delay));
    if (fail_syncs.load()) {
        ++syncs_refused;
        return SQLITE_IOERR_FSYNC;
    }
    ++syncs;
    return real(f)->pMethods->xSync(real(f), flags);
}

int shim_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int shim_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int shim_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int shim_check_reserved(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int shim_file_control(sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); }
int shim_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int shim_device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int shim_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int shim_shm_unmap(sqlite3_file* f, int delete_flag) { return real(f)->pMethods->xShmUnmap(real(f), delete_flag); }
int shim_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
    return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

const sqlite3_io_methods shim_methods = {
    3,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved,
    shim_file_control,
    shim_sector_size,
    shim_device_characteristics,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    shim_fetch,
    shim_unfetch,
};

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    ShimFile* s = shim(f);
    s->base.pMethods = nullptr;  // SQLite calls xClose only if this is set
    s->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(ShimFile));
    s->path = nullptr;
    sqlite3_vfs* vfs = real_vfs();
    int rc = vfs->xOpen(vfs, name, s->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    if (s->real->pMethods->iVersion < 3) {  // the methods above forward version-3 calls
        s->real->pMethods->xClose(s->real);
        return SQLITE_CANTOPEN;
    }
    if (name != nullptr) {
        sqlite3_int64 size = 0;
        rc = s->real->pMethods->xFileSize(s->real, &size);
        if (rc != SQLITE_OK) {
            s->real->pMethods->xClose(s->real);
            return rc;
        }
        s->path = new std::string(name);
        std::lock_guard lock(space_mutex);
        set_size_locked(*s->path, static_cast<std::uint64_t>(size));
    }
    s->base.pMethods = &shim_methods;
    return SQLITE_OK;
}

int shim_delete(sqlite3_vfs*, const char* name, int sync_dir) {
    sqlite3_vfs* vfs = real_vfs();
    const int rc = vfs->xDelete(vfs, name, sync_dir);
    if (rc == SQLITE_OK) {
        std::lock_guard lock(space_mutex);
        if (auto it = file_sizes.find(name); it != file_sizes.end()) {
            total_size -= it->second;
            file_sizes.erase(it);
        }
    }
    return rc;
}

// Everything else goes straight to the real VFS.
int shim_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return real_vfs()->xAccess(real_vfs(), name, flags, out);
}
int shim_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
    return real_vfs()->xFullPathname(real_vfs(), name, size, out);
}
void* shim_dl_open(sqlite3_vfs*, const char* name) { return real_vfs()->xDlOpen(real_vfs(), name); }
void shim_dl_error(sqlite3_vfs*, int size, char* out) { real_vfs()->xDlError(real_vfs(), size, out); }
void (*shim_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
    return real_vfs()->xDlSym(real_vfs(), handle, symbol);
}
void shim_dl_close(sqlite3_vfs*, void* handle) { real_vfs()->xDlClose(real_vfs(), handle); }
int shim_randomness(sqlite3_vfs*, int size, char* out) { return real_vfs()->xRandomness(real_vfs(), size, out); }
int shim_sleep(sqlite3_vfs*, int us) { return real_vfs()->xSleep(real_vfs(), us); }
int shim_current_time(sqlite3_vfs*, double* out) { return real_vfs()->xCurrentTime(real_vfs(), out); }
int shim_get_last_error(sqlite3_vfs*, int size, char* out) { return real_vfs()->xGetLastError(real_vfs(), size, out); }
int shim_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    return real_vfs()->xCurrentTimeInt64(real_vfs(), out);
}
int shim_set_system_call(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr call) {
    return real_vfs()->xSetSystemCall(real_vfs(), name, call);
}
sqlite3_syscall_ptr shim_get_system_call(sqlite3_vfs*, const char* name) {
    return real_vfs()->xGetSystemCall(real_vfs(), name);
}
const char* shim_next_system_call(sqlite3_vfs*, const char* name) {
    return real_vfs()->xNextSystemCall(real_vfs(), name);
}

void register_shim() {
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    if (base == nullptr || base->iVersion < 3) throw std::runtime_error("fault VFS: no version-3 default VFS");
    static sqlite3_vfs vfs{};
    vfs.iVersion = 3;
    vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + base->szOsFile;
    vfs.mxPathname = base->mxPathname;
    vfs.zName = shim_name;
    vfs.pAppData = base;
    vfs.xOpen = shim_open;
    vfs.xDelete = shim_delete;
    vfs.xAccess = shim_access;
    vfs.xFullPathname = shim_full_pathname;
    vfs.xDlOpen = shim_dl_open;
    vfs.xDlError = shim_dl_error;
    vfs.xDlSym = shim_dl_sym;
    vfs.xDlClose = shim_dl_close;
    vfs.xRandomness = shim_randomness;
    vfs.xSleep = shim_sleep;
    vfs.xCurrentTime = shim_current_time;
    vfs.xGetLastError = shim_get_last_error;
    vfs.xCurrentTimeInt64 = shim_current_time_int64;
    vfs.xSetSystemCall = shim_set_system_call;
    vfs.xGetSystemCall = shim_get_system_call;
    vfs.xNextSystemCall = shim_next_system_call;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) throw std::runtime_error("fault VFS: cannot register");
}

}  // namespace

const char* vfs_name() {
    static std::once_flag once;
    std::call_once(once, register_shim);
    return shim_name;
}

void set_space_limit(std::uint64_t bytes) { space_limit = bytes; }
void set_fail_writes(bool fail) { fail_writes = fail; }
void set_fail_syncs(bool fail) { fail_syncs = fail; }
void set_sync_delay(Duration delay) { sync_delay_us = delay.count(); }

Counters counters() { return {writes.load(), writes_refused.load(), syncs.load(), syncs_refused.load()}; }

std::uint64_t tracked_bytes() {
    std::lock_guard lock(space_mutex);
    return total_size;
}

void reset() {
    space_limit = 0;
    fail_writes = false;
    fail_syncs = false;
    sync_delay_us = 0;
    writes = 0;
    writes_refused = 0;
    syncs = 0;
    syncs_refused = 0;
}

}  // namespace gridgate::store::faults
