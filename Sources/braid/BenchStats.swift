import BraidTransformer
import Foundation

/// The spread of one benchmark figure over its repeats: the median is what gets reported, min and max
/// show how noisy the machine was while measuring.
struct BenchFigure: Codable, Equatable {
    /// Median of `values` (the mean of the two middle ones for an even count).
    var median: Double
    /// Smallest value.
    var min: Double
    /// Largest value.
    var max: Double
    /// Every repeat, in the order measured.
    var values: [Double]

    /// Summarizes `values`; an empty list gives zeros (callers always measure at least once).
    init(_ values: [Double]) {
        let sorted = values.sorted()
        self.values = values
        min = sorted.first ?? 0
        max = sorted.last ?? 0
        if sorted.isEmpty {
            median = 0
        } else if sorted.count % 2 == 1 {
            median = sorted[sorted.count / 2]
        } else {
            median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
    }

    /// `median (min–max)` with `digits` decimals.
    func text(_ digits: Int = 1) -> String {
        let f = "%.\(digits)f"
        return String(format: "\(f) (\(f)–\(f))", median, min, max)
    }
}

/// Clock and machine facts shared by the benchmarks.
enum BenchClock {
    /// Monotonic time in seconds.
    static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// CPU seconds this process has used so far (user + system, all threads). On a machine shared
    /// with other work, CPU time per step of a one-thread run is close to what the step would take
    /// on an idle core, where wall time is not.
    static func processCPU() -> Double {
        var usage = rusage()
        #if os(Linux)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Runs `body` and returns its result with the seconds it took.
    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = now()
        let value = try body()
        return (value, now() - start)
    }
}

/// What the benchmarks record about the machine they ran on, so a reader can judge the numbers.
struct BenchMachine: Codable {
    /// CPU model name from `/proc/cpuinfo`.
    var cpu: String?
    /// Logical CPUs the process sees.
    var cpus: Int
    /// 1-minute load average when the benchmark started (other processes competing for the cores).
    var loadAverage: Double?
    /// `OPENBLAS_NUM_THREADS` from the environment, if set.
    var openblasNumThreadsEnv: String?
    /// The `--threads` given to the benchmark (compute threads; nil: one per core).
    var threads: Int?
    /// The `--activations` of the benchmark (`f32` exact, `q8` opt-in approximation).
    var activations: String = ActivationPrecision.f32.rawValue
    /// The `--kv-type` of the benchmark (`f32` exact, `f16` opt-in).
    var kvType: String = KVPrecision.f32.rawValue
    /// When the benchmark started (ISO 8601, UTC).
    var date: String

    /// Reads the facts now (Linux `/proc`; missing files leave fields nil).
    static func current(threads: Int?, activations: ActivationPrecision = .f32, kvType: KVPrecision = .f32) -> BenchMachine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let loadavg = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").first.flatMap { Double($0) }
        let formatter = ISO8601DateFormatter()
        return BenchMachine(cpu: cpu, cpus: ProcessInfo.processInfo.activeProcessorCount, loadAverage: loadavg,
                            openblasNumThreadsEnv: ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"],
                            threads: threads, activations: activations.rawValue, kvType: kvType.rawValue,
                            date: formatter.string(from: Date()))
    }

    /// Peak resident memory of this process (`VmHWM` in `/proc/self/status`), in bytes.
    static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.filter(\.isNumber)).map { $0 * 1024 }
        }
        return nil
    }

    /// One line for reports: CPU, cores, load, compute threads.
    var summary: String {
        let load = loadAverage.map { String(format: "%.2f", $0) } ?? "?"
        let compute = threads.map(String.init) ?? "\(cpus) (one per core)"
        return "\(cpu ?? "unknown CPU"), \(cpus) CPUs, load \(load) at start, compute threads: \(compute), activations \(activations), KV \(kvType), \(date)"
    }
}

/// Progress lines on standard error (stdout carries only the report).
enum BenchLog {
    /// Writes `line` to standard error unless `quiet`.
    static func say(_ line: String, quiet: Bool = false) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Parses a comma-separated list of positive integers (`1,2,4,8`), naming the option in the error.
    static func positiveList(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 > 0 }) else {
            throw CLIFailure(.usage, "error: \(option) expects positive integers separated by commas, got '\(text)'")
        }
        return values
    }

    /// Encodes `value` as pretty, key-sorted JSON text.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Prints the report (text or JSON) and writes its JSON to `file` when given.
    static func emit<T: Encodable>(_ report: T, text: String, json: Bool, file: String?) throws {
        let encoded = try Self.json(report)
        if let file {
            do {
                try (encoded + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure(.runFailure, "error: cannot write \(file): \(error.localizedDescription)")
            }
        }
        print(json ? encoded : text)
    }
}
