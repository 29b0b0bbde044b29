import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// Bare mirrors of git repositories in the cache's git bucket, one per remote (without
/// credentials) and object format. A mirror only grows: each miss fetches the one commit it
/// needs (shallow where the server allows it), so a second commit of the same repository costs
/// only the difference. A new mirror is filled in private scratch space and moved into the
/// bucket only once it has served a valid checkout, so a bad source leaves nothing behind.
public struct GitMirrors: Sendable {
    let client: GitClient
    /// The git bucket, or nil when there is no cache (every mirror is private).
    let bucket: String?

    public init(client: GitClient, bucket: String?) {
        self.client = client
        self.bucket = bucket
    }

    /// A mirror opened for this process: the shared one under its lock, or a private one.
    final class Mirror {
        var path: String
        var shared: Bool
        var lock: FileLock?

        init(path: String, shared: Bool, lock: FileLock?) {
            self.path = path
            self.shared = shared
            self.lock = lock
        }
    }

    /// Resolves an abbreviated commit id by fetching the repository's branches and tags.
    public func resolveAbbreviation(_ source: GitURL, _ abbreviation: String, format: GitObjectFormat,
                                    scratch: String, waiting: @escaping () -> Void) throws(GitError) -> String {
        let mirror = try open(source, format: format, scratch: scratch, waiting: waiting)
        defer { mirror.lock?.unlock() }
        try fetchAll(source, into: mirror)
        let output = try client.run(["rev-parse", "--verify", "--quiet", abbreviation + "^{commit}"], in: mirror.path)
        guard output.status == 0 else {
            let probe = try client.run(["rev-parse", "--disambiguate=" + abbreviation], in: mirror.path)
            let matches = probe.stdout.split(whereSeparator: \.isNewline).count
            if matches > 1 { throw .ambiguousRevision(url: source.redacted, revision: abbreviation) }
            throw .unknownRevision(url: source.redacted, revision: abbreviation)
        }
        adopt(mirror, source: source, format: format)
        return output.stdout.trimmingSpacesAndNewlines()
    }

    /// Checks `commit` out into `destination` (a new folder) with its submodules, and returns
    /// the project folder (`#subdirectory`) after checking it holds a Python project.
    public func checkout(_ source: GitURL, commit: String, tags: [GitRefs.Ref], into destination: String,
                         scratch: String, waiting: @escaping () -> Void) throws(GitError) -> String {
        guard let format = GitObjectFormat(commit: commit) else {
            throw .unknownCommit(url: source.redacted, commit: commit)
        }
        let mirror = try open(source, format: format, scratch: scratch, waiting: waiting)
        defer { mirror.lock?.unlock() }
        try fetch(source, commit: commit, tags: tags, into: mirror)
        try populate(destination, from: mirror, source: source, commit: commit, tags: tags, format: format)
        // The checkout borrows the mirror's objects; submodules are fetched from their own remotes.
        mirror.lock?.unlock()
        if FileManager.default.fileExists(atPath: destination + "/.gitmodules") {
            var options: [String] = []
            // git refuses file:// submodules by default (CVE-2022-39253); a local superproject may use them.
            if source.remote.lowercased().hasPrefix("file://") { options = ["-c", "protocol.file.allow=always"] }
            let output = try client.run(options + ["submodule", "--quiet", "update", "--init", "--recursive"], in: destination)
            guard output.status == 0 else {
                throw .failed(url: source.redacted, step: "fetching its submodules", reason: output.reason)
            }
        }
        let project = try projectFolder(source, in: destination)
        if !mirror.shared, adopt(mirror, source: source, format: format) {
            // The checkout's objects now live at the mirror's new place.
            let alternates = destination + "/.git/objects/info/alternates"
            try? (mirror.path + "/objects\n").write(toFile: alternates, atomically: true, encoding: .utf8)
        }
        return project
    }

    private func open(_ source: GitURL, format: GitObjectFormat, scratch: String,
                      waiting: @escaping () -> Void) throws(GitError) -> Mirror {
        if let bucket {
            let path = bucket + "/" + source.mirrorIdentity(objectFormat: format)
            if FileManager.default.fileExists(atPath: path + "/HEAD") {
                do {
                    let lock = try FileLock(path: path + "/wheelcache.lock", mode: .exclusive, waiting: waiting)
                    // The lock file's time is the mirror's last use, for `cache prune`.
                    _ = utimensat(AT_FDCWD, path + "/wheelcache.lock", nil, 0)
                    return Mirror(path: path, shared: true, lock: lock)
                } catch {
                    throw .io(path: path, reason: error.description)
                }
            }
        }
        let path = scratch + "/mirror.git"
        var arguments = ["init", "--quiet", "--bare"]
        if format == .sha256 { arguments.append("--object-format=sha256") }
        let output = try client.run(arguments + [path])
        guard output.status == 0 else { throw .io(path: path, reason: output.reason) }
        return Mirror(path: path, shared: false, lock: nil)
    }

    /// Moves a private mirror into the bucket; false when there is no bucket or another
    /// process got there first (then this one is dropped with the scratch folder).
    @discardableResult
    private func adopt(_ mirror: Mirror, source: GitURL, format: GitObjectFormat) -> Bool {
        guard !mirror.shared, let bucket else { return false }
        let target = bucket + "/" + source.mirrorIdentity(objectFormat: format)
        try? FileManager.default.createDirectory(atPath: bucket, withIntermediateDirectories: true)
        guard rename(mirror.path, target) == 0 else { return false }
        mirror.path = target
        mirror.shared = true
        return true
    }

    /// Makes `commit` present in the mirror: nothing if it is, else a shallow fetch of that
    /// commit (with the tags that point at it), else the whole repository.
    private func fetch(_ source: GitURL, commit: String, tags: [GitRefs.Ref], into mirror: Mirror) throws(GitError) {
        if try has(commit, in: mirror) { return }
        let refspecs = [commit] + tags.map { "+\($0.name):\($0.name)" }
        let shallow = try client.run(["fetch", "--quiet", "--no-tags", "--depth=1", "--", source.remote] + refspecs, in: mirror.path)
        if shallow.status == 0, try has(commit, in: mirror) { return }
        try fetchAll(source, into: mirror)
        guard try has(commit, in: mirror) else { throw .unknownCommit(url: source.redacted, commit: commit) }
    }

    private func fetchAll(_ source: GitURL, into mirror: Mirror) throws(GitError) {
        var arguments = ["fetch", "--quiet", "--prune"]
        if FileManager.default.fileExists(atPath: mirror.path + "/shallow") { arguments.append("--unshallow") }
        let output = try client.run(arguments + ["--", source.remote, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
                                    in: mirror.path)
        guard output.status == 0 else { throw .unreachable(url: source.redacted, reason: output.reason) }
    }

    private func has(_ commit: String, in mirror: Mirror) throws(GitError) -> Bool {
        try client.run(["cat-file", "-e", commit + "^{commit}"], in: mirror.path).status == 0
    }

    /// A fresh repository at `destination` that borrows the mirror's objects, with the commit
    /// checked out (detached) and the tags at it, so version tools see a normal clone.
    private func populate(_ destination: String, from mirror: Mirror, source: GitURL, commit: String,
                          tags: [GitRefs.Ref], format: GitObjectFormat) throws(GitError) {
        var initArguments = ["-c", "init.defaultBranch=main", "init", "--quiet"]
        if format == .sha256 { initArguments.append("--object-format=sha256") }
        var output = try client.run(initArguments + [destination])
        guard output.status == 0 else { throw .io(path: destination, reason: output.reason) }
        let gitDir = destination + "/.git"
        do {
            try (mirror.path + "/objects\n").write(toFile: gitDir + "/objects/info/alternates", atomically: true, encoding: .utf8)
            if FileManager.default.fileExists(atPath: mirror.path + "/shallow") {
                try FileManager.default.copyItem(atPath: mirror.path + "/shallow", toPath: gitDir + "/shallow")
            }
        } catch {
            throw .io(path: gitDir, reason: ErrorText.describe(error))
        }
        // Relative submodule URLs resolve against origin; credentials stay out of the checkout.
        _ = try client.run(["config", "remote.origin.url", source.cleanRemote], in: destination)
        for tag in tags {
            _ = try client.run(["update-ref", tag.name, tag.oid], in: destination)
        }
        output = try client.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit], in: destination)
        guard output.status == 0 else { throw .failed(url: source.redacted, step: "checking out \(commit)", reason: output.reason) }
    }

    /// The project folder inside the checkout; it must be a real folder inside the tree.
    private func projectFolder(_ source: GitURL, in checkout: String) throws(GitError) -> String {
        guard let subdirectory = source.subdirectory else {
            try requireProject(source, checkout, label: "the repository root")
            return checkout
        }
        let folder = checkout + "/" + subdirectory
        var isDirectory = false
        let root = URL(fileURLWithPath: checkout).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory,
              resolved.hasPrefix(root + "/") else {
            throw .noSubdirectory(url: source.redacted, subdirectory: subdirectory)
        }
        try requireProject(source, folder, label: "#subdirectory=\(subdirectory)")
        return folder
    }

    private func requireProject(_ source: GitURL, _ folder: String, label: String) throws(GitError) {
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder + "/pyproject.toml") || fm.fileExists(atPath: folder + "/setup.py") else {
            throw .noProject(url: source.redacted, folder: label)
        }
    }
}
