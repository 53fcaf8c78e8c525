// Runs ParaThinker (Graphs/parathinker.yaml) from Swift with BraidRuntime's API.
//   swift run -c release braid-example      (from the repository root, after `make model`)
// The code between the markers is also run by Tests/BraidRuntimeTests/ExampleTests.swift, which checks
// that this file holds exactly the same lines.
import BraidRuntime
import BraidTransformer

// BEGIN EXAMPLE
let session = try BraidSession(model: ModelCache.defaultModel)
let result = try session.run(graph: "Graphs/parathinker.yaml",
                             inputs: ["question": "What is 12*13?"],
                             overrides: ["paths": "4", "path_tokens": "24", "summary_tokens": "24"])
for thread in result.threads {
    print("\(thread.name): \(thread.sampled) tokens, \(thread.lastDecode ?? thread.stopReason)")
}
print("answer:", result.answer ?? "(none)", "in", result.stats.seconds, "s")
// END EXAMPLE
