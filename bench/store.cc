// bench/store: durable create throughput and latency of the SQLite store with 1, 8 and 64 writer
// threads, against raw SQLite inserting the same rows (one autocommit insert each, and one big
// transaction) in the same run; get and list from memory; watch delivery latency (from the commit,
// and from the start of the create; to a blocking and to a polling watcher) beside a bare
// thread-to-thread hand-off at the same rate; peak RSS.
//
//   build/bench/store [--pods N] [--dir DIR]
#include "orch/store.h"

#include <malloc.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())));
  return values[index];
}

// Bytes of heap in use (allocated and not freed).
double HeapInUseMiB() { return static_cast<double>(mallinfo2().uordblks) / (1024.0 * 1024.0); }

long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// Resident memory now.
long CurrentRssMiB() {
  long pages = 0, resident = 0;
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

// A pod of realistic size (about 1.5 KB of JSON): labels, annotations, two containers with ports,
// env, resources and probes, volumes, tolerations.
std::string PodJson(int i) {
  return absl::StrCat(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-)", i, R"(","namespace":"bench-)", i % 10,
      R"(","labels":{"app":"web","tier":")", i % 10 == 0 ? "canary" : "stable",
      R"(","pod-template-hash":"5d8f9c7b6d"},"annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9100"}},)",
      R"("spec":{"containers":[{"name":"nginx","image":"nginx:1.27.2","ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],)",
      R"("env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],)",
      R"("resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}},)",
      R"("readinessProbe":{"httpGet":{"path":"/healthz","port":80},"periodSeconds":5},)",
      R"("livenessProbe":{"httpGet":{"path":"/healthz","port":80},"initialDelaySeconds":10},)",
      R"("volumeMounts":[{"name":"config","mountPath":"/etc/nginx/conf.d"}]},)",
      R"({"name":"exporter","image":"nginx/nginx-prometheus-exporter:1.3.0","args":["--nginx.scrape-uri=http://localhost/stub_status"],)",
      R"("ports":[{"name":"metrics","containerPort":9100}],"resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}],)",
      R"("volumes":[{"name":"config","configMap":{"name":"nginx-config"}}],)",
      R"("tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],)",
      R"("restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","schedulerName":"default-scheduler"},)",
      R"("status":{"phase":"Pending","qosClass":"Burstable"}})");
}

std::vector<orch::Object> MakePods(int count) {
  std::vector<orch::Object> pods;
  pods.reserve(count);
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<orch::Object> pod = orch::DecodeObject(PodJson(i));
    if (!pod.ok()) {
      fprintf(stderr, "bad pod: %s\n", std::string(pod.status().message()).c_str());
      exit(1);
    }
    pods.push_back(std::move(*pod));
  }
  return pods;
}

struct WriteResult {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  double cpu_us = 0;  // user + system CPU time of the process per write
};

// User + system CPU time of the process so far, in microseconds.
double CpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

// Creates every pod with `threads` writers; latency per create. The pods are copied before the
// clock starts and moved into the store, as a caller that builds an object for the store would.
WriteResult RunStore(orch::Store& store, std::vector<orch::Object> pods, int threads) {
  std::vector<std::vector<double>> latencies(threads);
  for (auto& l : latencies) l.reserve(pods.size() / threads + 1);
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  double cpu_start = CpuMicros();
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = next++; i < pods.size(); i = next++) {
        auto begin = Clock::now();
        if (!store.Create(std::move(pods[i])).ok()) failures++;
        latencies[t].push_back(Micros(Clock::now() - begin));
      }
    });
  }
  for (auto& worker : workers) worker.join();
  double elapsed = Seconds(Clock::now() - start);
  if (failures > 0) fprintf(stderr, "%d creates failed\n", failures.load());
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return {static_cast<double>(pods.size()) / elapsed, Percentile(all, 0.5), Percentile(all, 0.99),
          (CpuMicros() - cpu_start) / static_cast<double>(pods.size())};
}

// Raw SQLite: the same rows in the same table shape, WAL and synchronous=NORMAL.
WriteResult RunRaw(const std::string& path, const std::vector<orch::Object>& pods, bool one_transaction) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE history(rv INTEGER PRIMARY KEY, kind TEXT NOT NULL, namespace TEXT NOT NULL,"
               " name TEXT NOT NULL, event INTEGER NOT NULL, prev_rv INTEGER NOT NULL, data BLOB NOT NULL);",
               nullptr, nullptr, nullptr);
  std::vector<std::string> rows;
  rows.reserve(pods.size());
  for (const orch::Object& pod : pods) rows.push_back(orch::EncodeObject(pod));
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO history VALUES(?,?,?,?,?,?,?)", -1, &insert, nullptr);
  std::vector<double> latencies;
  latencies.reserve(pods.size());
  double cpu_start = CpuMicros();
  auto start = Clock::now();
  if (one_transaction) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (size_t i = 0; i < pods.size(); ++i) {
    auto begin = Clock::now();
    sqlite3_bind_int64(insert, 1, static_cast<int64_t>(i + 1));
    sqlite3_bind_text(insert, 2, "/Pod", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, pods[i].metadata.namespace_.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 4, pods[i].metadata.name.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 5, 0);
    sqlite3_bind_int64(insert, 6, 0);
    sqlite3_bind_blob(insert, 7, rows[i].data(), static_cast<int>(rows[i].size()), SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) fprintf(stderr, "raw insert failed: %s\n", sqlite3_errmsg(db));
    sqlite3_reset(insert);
    latencies.push_back(Micros(Clock::now() - begin));
  }
  if (one_transaction) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  double elapsed = Seconds(Clock::now() - start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  double cpu = (CpuMicros() - cpu_start) / static_cast<double>(pods.size());
  if (one_transaction) return {static_cast<double>(pods.size()) / elapsed, 0, 0, cpu};
  return {static_cast<double>(pods.size()) / elapsed, Percentile(latencies, 0.5), Percentile(latencies, 0.99),
          cpu};
}

// When each revision committed (steady clock, ns), as the store's on_commit reports it; 0 if not
// yet or out of range.
class CommitTimes {
 public:
  explicit CommitTimes(size_t revisions) : times_(revisions + 1) {}
  void Record(int64_t first, int64_t last) {
    const int64_t now = Clock::now().time_since_epoch().count();
    for (int64_t rv = std::max<int64_t>(first, 0); rv <= last && rv < static_cast<int64_t>(times_.size());
         ++rv) {
      times_[rv].store(now, std::memory_order_release);
    }
  }
  int64_t At(int64_t revision) const {
    if (revision < 0 || revision >= static_cast<int64_t>(times_.size())) return 0;
    return times_[revision].load(std::memory_order_acquire);
  }

 private:
  std::vector<std::atomic<int64_t>> times_;
};

std::unique_ptr<orch::Store> OpenOnFile(const std::string& path, CommitTimes* commits = nullptr) {
  orch::SqliteStoreOptions options;
  options.path = path;
  if (commits != nullptr) {
    options.on_commit = [commits](int64_t first, int64_t last) { commits->Record(first, last); };
  }
  absl::StatusOr<std::unique_ptr<orch::Store>> store = orch::OpenSqliteStore(options);
  if (!store.ok()) {
    fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    exit(1);
  }
  return std::move(*store);
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

struct WatchFigures {
  double from_commit_p50 = 0, from_commit_p99 = 0;  // commit (on_commit) to the watcher holding the event
  double from_create_p50 = 0, from_create_p99 = 0;  // start of the create to the watcher holding it
  double seconds = 0;                               // how long the creates took
};

// Watch delivery latency, in µs: from the commit of a create's transaction (as the store's on_commit
// reports it) to the watcher holding the event, and from the start of the create call (which adds
// the encoding, the wait for the batch and the commit itself). The pods are named "<prefix><index>".
// A blocking watcher sleeps in Next() until woken, as an informer does; a polling one calls Next()
// without waiting, so that what it measures is the store's own delivery, without the thread wake-up.
WatchFigures WatchLatency(orch::Store& store, const CommitTimes& commits,
                          const std::vector<orch::Object>& pods, const std::string& prefix, int writers,
                          bool poll) {
  const orch::ResourceType& type = *orch::FindResourceType("", "Pod");
  auto watch = *store.Watch(type, {.resourceVersion = std::to_string(store.CurrentRevision())});
  std::vector<std::atomic<int64_t>> started(pods.size());
  std::vector<double> from_create, from_commit;
  from_create.reserve(pods.size());
  from_commit.reserve(pods.size());
  std::thread watcher([&] {
    for (size_t received = 0; received < pods.size(); ++received) {
      std::optional<orch::WatchEvent> event;
      if (poll) {
        const Clock::time_point give_up = Clock::now() + std::chrono::seconds(10);
        while (!(event = watch->Next(absl::ZeroDuration())) && Clock::now() < give_up) {
        }
      } else {
        event = watch->Next(absl::Seconds(10));
      }
      if (!event || event->object == nullptr) break;
      int64_t now = Clock::now().time_since_epoch().count();
      if (int64_t committed = commits.At(event->object->revision); committed > 0) {
        from_commit.push_back(static_cast<double>(now - committed) / 1000.0);
      }
      size_t index = 0;
      if (!absl::SimpleAtoi(event->object->object.metadata.name.substr(prefix.size()), &index)) continue;
      from_create.push_back(static_cast<double>(now - started[index].load()) / 1000.0);
    }
  });
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  const Clock::time_point start = Clock::now();
  for (int t = 0; t < writers; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < pods.size(); i = next++) {
        started[i] = Clock::now().time_since_epoch().count();
        (void)store.Create(pods[i]);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds = Seconds(Clock::now() - start);
  watcher.join();
  if (from_commit.size() != pods.size()) {
    fprintf(stderr, "watch: %zu of %zu events had a commit time\n", from_commit.size(), pods.size());
  }
  return {Percentile(from_commit, 0.5), Percentile(from_commit, 0.99), Percentile(from_create, 0.5),
          Percentile(from_create, 0.99), seconds};
}

// The baseline for watch delivery: `count` timestamps handed from one thread to another through a
// bare mutex + condition variable queue, one every `interval` (busy-waited), as fast as the store's
// events came. Returns p50 and p99 in µs from the push to the consumer holding it: what waking a
// thread costs on this machine, with no store in between.
std::pair<double, double> BareHandoffLatency(size_t count, Clock::duration interval) {
  std::mutex mu;
  std::condition_variable ready;
  std::deque<int64_t> queue;
  std::vector<double> latencies;
  latencies.reserve(count);
  std::thread consumer([&] {
    std::unique_lock<std::mutex> lock(mu);
    for (size_t received = 0; received < count; ++received) {
      ready.wait(lock, [&] { return !queue.empty(); });
      const int64_t pushed = queue.front();
      queue.pop_front();
      latencies.push_back(static_cast<double>(Clock::now().time_since_epoch().count() - pushed) / 1000.0);
    }
  });
  Clock::time_point due = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    due += interval;
    while (Clock::now() < due) {
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(Clock::now().time_since_epoch().count());
    }
    ready.notify_one();
  }
  consumer.join();
  return {Percentile(latencies, 0.5), Percentile(latencies, 0.99)};
}

// `count` pods from `pods`, renamed "<prefix><index>".
std::vector<orch::Object> Renamed(const std::vector<orch::Object>& pods, size_t count,
                                  const std::string& prefix) {
  std::vector<orch::Object> renamed(pods.begin(), pods.begin() + std::min(count, pods.size()));
  for (size_t i = 0; i < renamed.size(); ++i) renamed[i].metadata.name = absl::StrCat(prefix, i);
  return renamed;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 100000;
  int only_threads = 0;  // --writers N: only the store run with N writers (for profiling)
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--pods") absl::SimpleAtoi(argv[i + 1], &count);
    if (flag == "--dir") dir = argv[i + 1];
    if (flag == "--writers") absl::SimpleAtoi(argv[i + 1], &only_threads);
  }
  std::string temp_dir;
  if (dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "orch-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    dir = temp_dir = pattern;
  }
  const std::string db_path = (std::filesystem::path(dir) / "bench.db").string();
  std::vector<orch::Object> pods = MakePods(count);
  size_t bytes = 0;
  for (const orch::Object& pod : pods) bytes += orch::EncodeObject(pod).size();
  printf("bench/store: %d pods, %.0f bytes of JSON each on average, files in %s\n\n", count,
         static_cast<double>(bytes) / count, dir.c_str());

  if (only_threads > 0) {
    RemoveDb(db_path);
    auto store = OpenOnFile(db_path);
    WriteResult r = RunStore(*store, pods, only_threads);
    printf("orch store, %d writers: %.0f/s, p50 %.1f us, p99 %.1f us, %.1f cpu us per create\n", only_threads,
           r.per_second, r.p50_us, r.p99_us, r.cpu_us);
    store.reset();
    if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir);
    return 0;
  }
  RemoveDb(db_path);
  WriteResult autocommit = RunRaw(db_path, pods, false);
  RemoveDb(db_path);
  WriteResult one_txn = RunRaw(db_path, pods, true);
  RemoveDb(db_path);

  printf("%-44s %12s %10s %10s %12s %12s %10s\n", "durable creates (WAL, synchronous=NORMAL)", "per second",
         "p50 us", "p99 us", "x autocommit", "x one txn", "cpu us");
  printf("%-44s %12.0f %10.1f %10.1f %12.2f %12.2f %10.1f\n", "raw SQLite, one autocommit insert each",
         autocommit.per_second, autocommit.p50_us, autocommit.p99_us, 1.0,
         autocommit.per_second / one_txn.per_second, autocommit.cpu_us);
  printf("%-44s %12.0f %10s %10s %12.2f %12.2f %10.1f\n", "raw SQLite, one transaction (upper limit)",
         one_txn.per_second, "-", "-", one_txn.per_second / autocommit.per_second, 1.0, one_txn.cpu_us);
  // The loaded store's revisions: its pods, then the watch runs' 4 x 10,000. Outlives the store.
  CommitTimes commits(static_cast<size_t>(count) + 40000 + 100);
  std::unique_ptr<orch::Store> loaded;
  double heap_before_store = 0;
  for (int threads : {1, 8, 64}) {
    RemoveDb(db_path);
    if (threads == 64) heap_before_store = HeapInUseMiB();
    auto store = OpenOnFile(db_path, threads == 64 ? &commits : nullptr);
    WriteResult r = RunStore(*store, pods, threads);
    printf("%-44s %12.0f %10.1f %10.1f %12.2f %12.2f %10.1f\n",
           absl::StrCat("orch store, ", threads, " writer threads").c_str(), r.per_second, r.p50_us, r.p99_us,
           r.per_second / autocommit.per_second, r.per_second / one_txn.per_second, r.cpu_us);
    if (threads == 64) loaded = std::move(store);
  }

  // Reads from memory, on the store holding all pods.
  const orch::ResourceType& type = *orch::FindResourceType("", "Pod");
  printf("\n%-44s %12s %10s %10s\n", "reads from memory", "per second", "p50 us", "p99 us");
  {
    std::mt19937 rng(42);
    std::vector<double> latencies;
    const int gets = 200000;
    auto start = Clock::now();
    for (int i = 0; i < gets; ++i) {
      int n = static_cast<int>(rng() % count);
      auto begin = Clock::now();
      auto got = loaded->Get(type, absl::StrCat("bench-", n % 10), absl::StrCat("web-", n));
      latencies.push_back(Micros(Clock::now() - begin));
      if (!got.ok()) fprintf(stderr, "get failed\n");
    }
    printf("%-44s %12.0f %10.2f %10.2f\n", "get by name", gets / Seconds(Clock::now() - start),
           Percentile(latencies, 0.5), Percentile(latencies, 0.99));
  }
  auto time_list = [&](const char* label, const orch::ListOptions& options, const std::string& ns) {
    std::vector<double> ms;
    size_t items = 0;
    for (int i = 0; i < 11; ++i) {
      auto begin = Clock::now();
      absl::StatusOr<orch::ListResult> list = loaded->List(type, ns, options);
      ms.push_back(Micros(Clock::now() - begin) / 1000);
      items = list.ok() ? list->items.size() : 0;
    }
    printf("%-44s %12zu %10.2f %10.2f   (items; median and max ms of 11)\n", label, items,
           Percentile(ms, 0.5), Percentile(ms, 1.0));
  };
  time_list("list all pods", {}, "");
  orch::ListOptions canary;
  canary.labelSelector = *orch::LabelSelector::Parse("app=web,tier=canary");
  time_list("list with label selector (10% match)", canary, "");
  time_list("list one namespace (10%)", {}, "bench-3");
  long rss_loaded = CurrentRssMiB();
  double store_heap = HeapInUseMiB() - heap_before_store;

  // Watch delivery, on the loaded store.
  printf("\n%-44s %10s %10s %16s %16s\n", "watch delivery, 10,000 creates", "p50 us", "p99 us",
         "p50 from create", "p99 from create");
  for (int writers : {1, 8}) {
    const std::string prefix = absl::StrCat("watch-", writers, "-");
    WatchFigures blocking =
        WatchLatency(*loaded, commits, Renamed(pods, 10000, prefix), prefix, writers, false);
    printf("%-44s %10.1f %10.1f %16.1f %16.1f\n",
           absl::StrCat("commit to watcher, ", writers, writers == 1 ? " writer" : " writers", ", blocking")
               .c_str(),
           blocking.from_commit_p50, blocking.from_commit_p99, blocking.from_create_p50,
           blocking.from_create_p99);
    // The same number of hand-offs at the same rate, with no store: what waking a thread costs here.
    auto [bare_p50, bare_p99] = BareHandoffLatency(
        10000,
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(blocking.seconds / 10000)));
    printf("%-44s %10.1f %10.1f   (blocking p99 / bare p99: %.2fx)\n",
           "  baseline: bare mutex+condvar hand-off", bare_p50, bare_p99,
           blocking.from_commit_p99 / std::max(bare_p99, 0.001));
    const std::string polled = absl::StrCat("poll-", writers, "-");
    WatchFigures polling =
        WatchLatency(*loaded, commits, Renamed(pods, 10000, polled), polled, writers, true);
    printf("%-44s %10.1f %10.1f %16.1f %16.1f\n", "  the same, polling (the store's own part)",
           polling.from_commit_p50, polling.from_commit_p99, polling.from_create_p50,
           polling.from_create_p99);
  }

  printf(
      "\nRSS of the process with the store holding %d pods: %ld MiB; the store's heap: %.0f MiB (%.1f KiB "
      "per pod)\n"
      "peak RSS of the whole run: %ld MiB\n",
      count, rss_loaded, store_heap, store_heap * 1024.0 / count, PeakRssMiB());
  loaded.reset();
  if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir);
  return 0;
}
