import CBraidKernels
import Foundation
import Testing

/// The worker pool behind every matrix product (`pool.c`): each thread takes its own contiguous lane of a
/// job's chunks, then helps the others'. Whatever the split, every chunk must run exactly once per job.
@Suite struct WorkerPoolTests {
    /// Per-chunk run counts and the worker that ran each chunk, written by the task (through pointers: chunks run
    /// on several threads at once, each writing only its own elements).
    final class Record {
        let chunks: Int
        let runs: UnsafeMutablePointer<Int32>
        let worker: UnsafeMutablePointer<Int32>
        /// Chunks that sleep before counting (a thread the OS delays); set before the job runs.
        var slow: Set<Int> = []
        init(chunks: Int) {
            self.chunks = chunks
            runs = .allocate(capacity: chunks)
            runs.initialize(repeating: 0, count: chunks)
            worker = .allocate(capacity: chunks)
            worker.initialize(repeating: -1, count: chunks)
        }
        deinit {
            runs.deallocate()
            worker.deallocate()
        }
        var runCounts: [Int32] { Array(UnsafeBufferPointer(start: runs, count: chunks)) }
        var workers: [Int32] { Array(UnsafeBufferPointer(start: worker, count: chunks)) }
    }

    /// Counts a run of `chunk`.
    static let task: braid_pool_task = { context, chunk, worker in
        guard let context else { return }
        let record = Unmanaged<Record>.fromOpaque(context).takeUnretainedValue()
        if record.slow.contains(chunk) { usleep(2_000) }
        record.runs[chunk] += 1
        record.worker[chunk] = worker
    }

    static func run(_ pool: OpaquePointer?, _ record: Record) {
        braid_pool_run(pool, task, Unmanaged.passUnretained(record).toOpaque(), record.chunks)
    }

    @Test("every chunk runs exactly once, for 1 to 5 threads and 1 to 70 chunks, job after job",
          arguments: [1, 2, 3, 5])
    func everyChunkOnce(threads: Int) throws {
        let pool = try #require(braid_pool_create(Int32(threads)))
        defer { braid_pool_destroy(pool) }
        for chunks in 1...70 {
            let record = Record(chunks: chunks)
            Self.run(pool, record)
            #expect(record.runCounts == [Int32](repeating: 1, count: chunks), "threads \(threads), chunks \(chunks)")
            #expect(record.workers.allSatisfy { $0 >= 0 && $0 < threads })
        }
    }

    @Test("with two threads and a slow chunk at the start of each lane, each chunk still runs exactly once")
    func slowThread() throws {
        let pool = try #require(braid_pool_create(2))
        defer { braid_pool_destroy(pool) }
        for _ in 0..<20 {
            let record = Record(chunks: 16)
            record.slow = [0, 8]   // the first chunk of each lane
            Self.run(pool, record)
            #expect(record.runCounts == [Int32](repeating: 1, count: 16))
        }
    }
}
