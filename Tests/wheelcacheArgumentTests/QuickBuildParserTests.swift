import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import wheelcache

/// `build` skips argument-parser for the plain spellings (QuickBuildParser); these tests hold
/// the two parsers to the same answers, so the shortcut cannot change what a command means.
@Suite("build's quick parser agrees with argument-parser")
struct QuickBuildParserTests {
    /// What argument-parser makes of `build ARGUMENTS`, or nil when it refuses them.
    func parsedByArgumentParser(_ arguments: [String]) -> BuildArguments? {
        guard let command = try? Wheelcache.parseAsRoot(["build"] + arguments) else { return nil }
        return (command as? Build)?.arguments
    }

    @Test("every common spelling of every option is read by the quick parser, exactly as argument-parser reads it")
    func commonSpellingsAgree() throws {
        let cases: [[String]] = [
            ["pkg-1.0.tar.gz"],
            ["a.tar.gz", "b.zip", "./project", "six==1.16.0", "git+https://h/r@0123abc"],
            ["-r", "req.txt"], ["--requirement", "req.txt", "-r", "more.txt"], ["--requirement=req.txt"],
            ["s", "--cache-dir", "/c"], ["s", "--cache-dir=/c"], ["s", "--no-cache-dir"],
            ["s", "--no-binary", ":all:"], ["s", "--no-binary", "six,idna", "--no-binary=attrs"],
            ["s", "--python", "/usr/bin/python3"], ["s", "--python=python3.11"],
            ["s", "--no-build-isolation"],
            ["s", "-i", "http://127.0.0.1:1/simple/"], ["s", "--index-url", "https://x/simple/"], ["s", "--index-url=https://x/"],
            ["s", "--extra-index-url", "https://a/", "--extra-index-url=https://b/"],
            ["s", "-f", "wheels", "--find-links", "/w2", "--find-links=/w3"], ["s", "--no-index"],
            ["s", "-C", "k=v", "--config-setting", "a=b=c", "--config-setting=--build-option=x"],
            ["s", "--remote", "s3://bucket/prefix"], ["s", "--remote=https://h/c/", "--remote-endpoint", "http://127.0.0.1:9000"],
            ["s", "--remote-write"],
            ["s", "-w", "out"], ["s", "--wheel-dir", "out dir"], ["s", "--wheel-dir", ""], ["s", "-j", "2"], ["s", "--jobs=16"], ["s", "-j", "+3"],
            ["s", "--max-size", "500M"], ["s", "--max-size=5G"],
            ["s", "--json"], ["s", "-q"], ["s", "--quiet"], ["s", "-v"], ["s", "--verbose"], ["s", "--json", "-v"],
            ["-w", "wheels/", "-r", "requirements.txt", "--cache-dir", "/c", "--python", "/p", "--no-index", "-f", "/w",
             "-j", "2", "a.tar.gz", "--json", "b.tar.gz"],
        ]
        for arguments in cases {
            let quick = QuickBuildParser.parse(arguments)
            #expect(quick != nil, "the quick parser declined \(arguments)")
            #expect(quick == parsedByArgumentParser(arguments), "\(arguments)")
        }
        // Values land where they belong (the comparison above would pass if both dropped them).
        let full = try #require(QuickBuildParser.parse(["-w", "out", "-r", "r.txt", "-C", "k=v", "-j", "3", "--no-index", "-q", "a", "b"]))
        #expect(full.sources == ["a", "b"] && full.wheelDir == "out" && full.requirement == ["r.txt"])
        #expect(full.configSetting == ["k=v"] && full.jobs == 3 && full.noIndex && full.output.quiet)
    }

    @Test("help, version, unknown options, bundled or attached short options, repeats and invalid values are left to argument-parser")
    func everythingElseIsDeclined() {
        let declined: [[String]] = [
            [], ["--help"], ["-h"], ["s", "--help"], ["--version"], ["s", "--experimental-dump-help"],
            ["s", "--generate-completion-script", "bash"], ["s", "--nonsense"], ["s", "-x"],
            ["s", "-qv"], ["s", "-wout"], ["s", "-w=out"], ["s", "--json=yes"], ["s", "--"], ["s", "--", "-weird-name.tar.gz"], ["-"],
            ["s", "-w"], ["s", "-w", "-q"], ["s", "--python", "--json"], ["s", "--wheel-dir="], ["s", "-C", "--build-option=x"],
            ["s", "-w", "a", "-w", "b"], ["s", "--python", "a", "--python=b"], ["s", "-q", "--quiet"],
            ["s", "-j", "two"], ["s", "-j", "0"], ["s", "--max-size", "lots"], ["s", "-q", "-v"],
            ["s", "--cache-dir", "/c", "--no-cache-dir"], ["s", "-f", "https://x/wheels/"],
            ["s", "--no-binary", ":nope:"], ["s", "-C", "novalue"], ["-w", "out"],
        ]
        for arguments in declined {
            #expect(QuickBuildParser.parse(arguments) == nil, "\(arguments)")
        }
        // argument-parser itself refuses the invalid ones, so declining loses nothing.
        for arguments in [["s", "-j", "0"], ["s", "-q", "-v"], ["s", "-f", "https://x/"], ["-w", "out"], ["s", "--nonsense"]] {
            #expect(parsedByArgumentParser(arguments) == nil, "\(arguments)")
        }
    }

    @Test("on 400 random argument lists the quick parser agrees with argument-parser, and declines only lists argument-parser refuses or that are not plain")
    func randomArgumentListsAgree() {
        var generator = SplitMix(seed: 20261122)
        let names = QuickBuildParser.options.flatMap { option in option.names.map { ($0, option.kind) } }
        // Mostly plain values, so that many lists are valid; a few that either parser may refuse.
        let plain = ["x", "a b", "3", "500M", "k=v", ":all:", "six", "/abs/path", "="]
        let odd = ["", "-x", "0", "http://h/", "--json"]
        var accepted = 0
        for _ in 0..<400 {
            var arguments: [String] = []
            // Plain: no source or separate value starting with `-`, no empty attached value, no
            // option other than a list given twice. The quick parser must take these when valid.
            var isPlain = true
            var given: Set<String> = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                if Int.random(in: 0..<10, using: &generator) < 3 {
                    let source = ["pkg.tar.gz", "dir", "pkg.tar.gz", "dir", "-", "--", "-bad"].randomElement(using: &generator)!
                    isPlain = isPlain && !source.hasPrefix("-")
                    arguments.append(source)
                    continue
                }
                let (name, kind) = names.randomElement(using: &generator)!
                let value = (Int.random(in: 0..<8, using: &generator) == 0 ? odd : plain).randomElement(using: &generator)!
                let canonical = QuickBuildParser.options.first { $0.names.contains(name) }!.names.last!
                isPlain = isPlain && (kind == .list || given.insert(canonical).inserted)
                switch (kind, Bool.random(using: &generator)) {
                case (.flag, _): arguments.append(name)
                case (_, true) where name.hasPrefix("--"):
                    isPlain = isPlain && !value.isEmpty
                    arguments.append(name + "=" + value)
                default:
                    isPlain = isPlain && !value.hasPrefix("-")
                    arguments += [name, value]
                }
            }
            let quick = QuickBuildParser.parse(arguments)
            let reference = parsedByArgumentParser(arguments)
            if let quick {
                accepted += 1
                #expect(quick == reference, "\(arguments)")
            } else if isPlain {
                #expect(reference == nil, "the quick parser declined a plain list argument-parser takes: \(arguments)")
            }
        }
        // Enough of the random lists are taken for the comparison to mean something.
        #expect(accepted > 40, "only \(accepted) accepted")
    }

    @Test("the quick parser knows every option build declares, with the same kind (flag, value, repeatable)")
    func everyOptionOfBuildIsKnown() throws {
        var dump = ""
        do {
            _ = try Wheelcache.parseAsRoot(["build", "--experimental-dump-help"])
        } catch {
            dump = Wheelcache.fullMessage(for: error)
        }
        let tool = try #require(JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [String: Any], "no dump: \(dump)")
        let command = try #require(tool["command"] as? [String: Any])
        let declared = try #require(command["arguments"] as? [[String: Any]])
        var expected: Set<String> = []
        for argument in declared where argument["kind"] as? String != "positional" {
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                guard let text = name["name"] as? String else { return nil }
                return (name["kind"] as? String == "short" ? "-" : "--") + text
            }
            if names.contains("--help") || names.contains("--version") { continue }
            let kind = argument["kind"] as? String == "flag" ? "flag" : (argument["isRepeating"] as? Bool == true ? "list" : "value")
            expected.insert(names.sorted().joined(separator: " ") + " " + kind)
        }
        let known = Set(QuickBuildParser.options.map { option in
            option.names.sorted().joined(separator: " ") + " " + "\(option.kind)"
        })
        #expect(known == expected)
    }
}
