import Testing

@testable import PermanenceCore

/// Vocabulary drop-ins (`vocabulary.d/*.toml`): an admin adds events, roles or plans without copying the
/// shipped vocabulary, so its updates still arrive.
@Suite struct VocabularyTests {
    let pack = """
        [pack]
        id = "local"
        title = "Local"
        source = "doc"

        [[rule]]
        id = "life-story-book"
        title = "Life story book"
        anchor = "placed-for-adoption"
        due = "10w"
        met-by = "life-story-book-given"
        owner = "life-story-worker"
        """

    func load(_ dropIns: [String], packs: [String]) throws -> RuleSet {
        let configuration = try RuleSet.parseConfiguration(SourceFile(path: "test.toml", text: ""))
        return try RuleSet(
            configuration: configuration, vocabulary: SourceFile(path: "vocabulary.toml", text: testVocabulary),
            vocabularyDropIns: dropIns.enumerated().map { SourceFile(path: "vocabulary.d/\($0.offset).toml", text: $0.element) },
            packs: packs.enumerated().map { SourceFile(path: "pack\($0.offset).toml", text: $0.element) }, zone: .europeLondon)
    }

    let ours = """
        [roles]
        life-story-worker = "Life story worker"

        [events.life-story-book-given]
        means = "The life story book was given to the adopters"
        """

    @Test func aDropInAddsWhatAPackNeeds() throws {
        #expect(throws: ConfigErrors.self) { try load([], packs: [pack]) }
        let set = try load([ours], packs: [pack])
        #expect(set.rules.map(\.id) == ["life-story-book"])
        #expect(set.eventKind("life-story-book-given") != nil)
        #expect(set.eventKind("visit") != nil)
        #expect(set.vocabulary.role("life-story-worker")?.title == "Life story worker")
        #expect(set.vocabulary.dropIns == ["vocabulary.d/0.toml"])
        #expect(try load([ours], packs: [pack]).fingerprint != (try load([ours + "\n# changed\n"], packs: [pack])).fingerprint)
    }

    @Test func aDropInReplacesAnEntryOfItsNameAndALaterOneWins() throws {
        let wording = "[roles]\nteam-manager = \"Practice manager\"\n"
        let later = "[roles]\nteam-manager = \"Team leader\"\n"
        #expect(try load([wording], packs: [pack.replacingOccurrences(of: "life-story-worker", with: "team-manager").replacingOccurrences(of: "life-story-book-given", with: "visit")])
            .vocabulary.role("team-manager")?.title == "Practice manager")
        let set = try load([wording, later], packs: [pack.replacingOccurrences(of: "life-story-worker", with: "team-manager").replacingOccurrences(of: "life-story-book-given", with: "visit")])
        #expect(set.vocabulary.role("team-manager")?.title == "Team leader")
        #expect(set.vocabulary.roles.filter { $0.name == "team-manager" }.count == 1)
    }

    @Test func aDropInsProblemsAreReportedAtItsOwnFileAndLine() {
        do {
            _ = try load(["[events.matching-panel]\nmeans = \"Panel\"\ncounts-as = [\"reveiw\"]\n\n[stand-ins]\nnobody = \"iro\"\n"], packs: [])
            Issue.record("loaded")
        } catch let e as ConfigErrors {
            let found = e.issues.map(\.description)
            #expect(found.contains("vocabulary.d/0.toml:1: events.matching-panel.counts-as: unknown event 'reveiw' (did you mean 'review'?)"), "\(found)")
            #expect(found.contains { $0.hasPrefix("vocabulary.d/0.toml:6: stand-ins.nobody: unknown role 'nobody'") }, "\(found)")
            // A drop-in need not repeat the sections the vocabulary must have.
            #expect(!found.contains { $0.contains("missing") }, "\(found)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
