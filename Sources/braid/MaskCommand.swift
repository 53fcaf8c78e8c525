import ArgumentParser
import BraidGraph
import BraidPlan
import BraidTransformer
import Foundation

/// `braid mask`: expand a graph's plan for given segment lengths into the token-level mask and position ids.
struct MaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Show the token-level attention mask and position ids of a graph for given segment lengths.",
        discussion: """
        Lengths are given per step id (every branch of a fork), per segment id (think[1]=9) or per step.kind \
        (search.message=5). Spliced text defaults to its sources' total. Run-time spawns are drawn with \
        children=N (default 2) and rounds=N (default 1). A flat fork's branch i starts i slots after the fork \
        point, a slot being the largest branch's forced prefix plus max_tokens (what the runtime reserves); \
        the prefix is counted with the model's tokenizer (--model, default the cached SmolLM2), or give slot=N.

          braid mask Graphs/parathinker.yaml --lengths prompt=12,think=6,summary=4 --set paths=3
          braid mask Graphs/parathinker.yaml --lengths prompt=12,think=6,summary=4 --format svg --out mask.svg
        """)

    @OptionGroup var graph: GraphOptions

    @Option(help: "Token counts, e.g. prompt=12,think=6,summary=4.")
    var lengths: String

    @Option(help: "The GGUF model whose tokenizer counts a flat fork's forced prefixes (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Option(help: "Output format: ascii, json, svg or png.")
    var format: String = "ascii"

    @Option(help: "Write to this file instead of standard output (required for png).")
    var out: String?

    func run() throws {
        guard ["ascii", "json", "svg", "png"].contains(format) else {
            throw CLIFailure(.usage, "error: --format must be ascii, json, svg or png, got '\(format)'")
        }
        if format == "png", out == nil { throw CLIFailure(.usage, "error: --format png needs --out FILE") }
        let loaded = try graph.load()
        let plan = try PlanCommand.compile(loaded)
        let defaults = Dictionary(loaded.inputs.compactMap { input in input.defaultValue.map { (input.name, $0) } },
                                  uniquingKeysWith: { a, _ in a })
        var tokenizer: Tokenizer?
        let expansion: MaskExpansion
        do {
            expansion = try MaskExpansion.expand(plan, lengths: try MaskLengths.parse(lengths)) { segment in
                // Only a flat fork with forced text needs the tokenizer; load it on first use.
                if tokenizer == nil { tokenizer = try TokenizeCommand.loadTokenizer(model) }
                guard let tokenizer, let text = FlatSlot.forcedText(of: segment) else { return 0 }
                var ids = tokenizer.encode(text.render(defaults))
                if tokenizer.addsBOS, let bos = tokenizer.bosID, ids.first == bos { ids.removeFirst() }
                return ids.count
            }
        } catch let error as PlanError {
            throw CLIFailure(.invalidInput, "error: \(error)")
        }
        guard expansion.count <= 4096 else {
            throw CLIFailure(.usage, "error: \(expansion.count) tokens is too many to draw (at most 4096); give smaller --lengths")
        }
        let data: Data
        switch format {
        case "json": data = Data(MaskJSON.render(expansion).utf8)
        case "svg": data = Data(MaskSVG.render(expansion).utf8)
        case "png": data = Data(MaskPNG.render(expansion))
        default: data = Data(MaskASCII.render(expansion).utf8)
        }
        if let out {
            do {
                try data.write(to: URL(fileURLWithPath: out))
            } catch {
                throw CLIFailure(.runFailure, "error: can't write \(out): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
