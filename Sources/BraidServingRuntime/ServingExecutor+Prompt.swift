import BraidPlan
import BraidServing

extension ServingExecutor {
    /// A decoded segment's prompt: its text, and the token ids the local run would prefill for it when they are
    /// sent (`ServingOptions.promptForm`).
    struct Prompt {
        /// The text of the segments in the view, in view order, then the forced prefix.
        var text: String
        /// The ids sent instead of the text; nil: the text is sent.
        var ids: [Int]?

        /// The request's `prompt` field.
        var completion: CompletionPrompt { ids.map { .tokens($0) } ?? .text(text) }
    }

    /// The prompt of a segment decoded after `view` with forced text `prefix`. As ids (the default, when the run has
    /// the served model's tokenizer and the server has not refused ids), it is what the local run prefills: each
    /// segment of the view tokenized on its own, after the begin-of-sequence token where a segment opens the
    /// sequence, then the prefix tokenized on its own. The server then neither re-tokenizes the text nor decides on
    /// the begin-of-sequence token itself. `asText` asks for text whatever the form (a request sent again after
    /// the server refused its ids).
    func prompt(view: [SegmentName], prefix: String, asText: Bool = false) async -> Prompt {
        let text = await state.text(of: view) + prefix
        guard !asText, options.promptForm == .ids, let renderer, !(await state.refusesIDs) else { return Prompt(text: text, ids: nil) }
        let plan = await state.plan
        var ids: [Int] = []
        for name in view {
            guard let segmentText = await state.text(of: name) else { continue }  // never written: not in the sequence
            if plan.segment(name)?.opensSequence == true, let bos = renderer.beginOfSequence { ids.append(bos) }
            ids += renderer.tokenIDs(of: segmentText)
        }
        ids += renderer.tokenIDs(of: prefix)
        return Prompt(text: text, ids: ids)
    }

    /// Whether a failed request may be the server refusing a prompt of token ids: a 400 or 422 (a request the
    /// server found invalid), before any chunk, to a request whose prompt was ids. The request is then sent again
    /// as text; only when that one is taken is the refusal noted (`refuseIDs`) and later prompts sent as text, so a
    /// request the server finds invalid for another reason fails with the server's answer to the text.
    static func refusedIDs(_ error: ServingError, request: CompletionRequest, chunks: Int) -> Bool {
        guard case .tokens = request.prompt, chunks == 0, case .status(let code, _, _) = error.failure else { return false }
        return code == 400 || code == 422
    }

    /// The note a run gets when the server refused token ids.
    static func idsRefusedNote(_ error: ServingError, number: Int) -> String {
        "the server refused a prompt of token ids (request #\(number): \(error.failure)); it and every later prompt were sent as text"
    }
}
