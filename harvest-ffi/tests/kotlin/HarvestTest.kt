// Kotlin test of the generated binding, run by harvest-ffi/ci.sh: a loopback site served by
// the JDK's HttpServer, harvested through the suspend API and its blocking twin, plus the
// error cases. Prints "N passed, M failed" and exits non-zero on any failure.

import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking
import harvest.ApiKeys
import harvest.Decision
import harvest.HarvestCallOptions
import harvest.HarvestException
import harvest.Harvester
import harvest.HarvesterOptions
import harvest.version

const val TITLE = "Lighthouses of the North Sea"
const val AUTHOR = "Ada Keeper"

val ARTICLE = """
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>$TITLE | Coastal Notes</title>
  <meta property="og:title" content="$TITLE">
  <meta name="author" content="$AUTHOR">
  <meta property="og:site_name" content="Coastal Notes">
  <meta name="description" content="A short history of the lighthouses along the North Sea coast.">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/about">About</a></nav>
  <article>
    <h1>$TITLE</h1>
    <p class="byline">By $AUTHOR</p>
    <p>The North Sea coast is lined with lighthouses that guided fishing fleets and merchant
    ships through shallow waters, shifting sandbanks and sudden autumn storms for centuries.</p>
    <p>The oldest towers were coal fires burning on open platforms. Oil lamps with polished
    reflectors replaced them in the eighteenth century, and Fresnel lenses followed soon after,
    throwing a beam visible for more than twenty nautical miles on a clear night.</p>
    <h2>The keepers</h2>
    <p>Keepers trimmed the wicks, wound the clockwork that turned the lens and logged the
    weather every four hours. Many towers were automated in the late twentieth century, and
    the last resident keepers left their posts with a mixture of relief and regret.</p>
    <p>Today several lighthouses are museums, where visitors climb the spiral stairs to the
    lantern room and look out over the water the keepers watched for so many years.</p>
  </article>
  <footer>Copyright Coastal Notes</footer>
</body>
</html>
""".trimIndent()

var passed = 0
var failed = 0

fun check(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("ok   $name")
    } catch (e: Throwable) {
        failed++
        println("FAIL $name: $e")
        e.printStackTrace(System.out)
    }
}

fun expect(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

fun <T> expectEqual(expected: T, actual: T, what: String) {
    if (expected != actual) throw AssertionError("$what: expected <$expected>, got <$actual>")
}

inline fun <reified E : Throwable> expectThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun main() {
    val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    server.createContext("/") { ex ->
        val path = ex.requestURI.path
        val (status, type, body) = when {
            path == "/robots.txt" -> Triple(200, "text/plain", "User-agent: *\nDisallow: /private/\n")
            path == "/article" || path.startsWith("/private/") ->
                Triple(200, "text/html; charset=utf-8", ARTICLE)
            else -> Triple(404, "text/plain", "not found")
        }
        val bytes = body.toByteArray(Charsets.UTF_8)
        ex.responseHeaders.add("Content-Type", type)
        ex.sendResponseHeaders(status, bytes.size.toLong())
        ex.responseBody.use { it.write(bytes) }
    }
    server.start()
    val base = "http://127.0.0.1:${server.address.port}"
    val article = "$base/article"

    try {
        val local = Harvester(HarvesterOptions(allowPrivateNetwork = true, perHostIntervalSeconds = 0.0))

        check("version is the core's") {
            expect(version().matches(Regex("""\d+\.\d+\.\d+.*"""))) { "version ${version()}" }
        }

        var firstOutput = ""
        check("suspend harvest of a loopback article into markdown") {
            val r = runBlocking { local.harvest(article, HarvestCallOptions(format = "markdown")) }
            expectEqual("markdown", r.format, "format")
            expectEqual(TITLE, r.attribution.title, "attribution.title")
            expectEqual(AUTHOR, r.attribution.author, "attribution.author")
            expectEqual("Coastal Notes", r.attribution.siteName, "attribution.siteName")
            expectEqual("en", r.attribution.language, "attribution.language")
            expectEqual(article, r.attribution.url, "attribution.url")
            expectEqual(article, r.attribution.finalUrl, "attribution.finalUrl")
            expectEqual(0.0, r.costUsd, "costUsd")
            expectEqual(0.0, r.costEstimateUsd, "costEstimateUsd")
            expectEqual(0uL, r.usage.inputTokens, "usage.inputTokens")
            expectEqual(false, r.cacheHit, "cacheHit")
            expectEqual(Decision.ALLOWED, r.compliance.decision, "compliance.decision")
            expect(r.output.startsWith("# $TITLE\n\nBy $AUTHOR\n\n")) { "no title heading in:\n${r.output}" }
            expect(r.output.contains("\n\n## The keepers\n\n")) { "no section heading in:\n${r.output}" }
            expect(r.output.contains("Source: $TITLE — Coastal Notes ($article), by $AUTHOR")) {
                "no attribution line in:\n${r.output}"
            }
            expect(r.output.contains("Keepers trimmed the wicks")) { "no article text in:\n${r.output}" }
            expect(!r.output.contains("Copyright Coastal Notes")) { "boilerplate kept:\n${r.output}" }
            expect(r.compliance.signals.any { it.name == "robots.txt" }) { "signals ${r.compliance.signals}" }
            firstOutput = r.output
            if (System.getenv("HARVEST_FFI_SHOW") != null) println(r.output)
        }

        check("blocking harvest gives the same markdown as the suspend one") {
            val r = local.harvestBlocking(article)
            expectEqual("markdown", r.format, "format (default)")
            expectEqual(TITLE, r.attribution.title, "attribution.title")
            // The attribution line carries the retrieval time, so compare the body only.
            expectEqual(firstOutput.substringBefore("\n\nSource: "), r.output.substringBefore("\n\nSource: "), "output")
            expect(firstOutput.contains("Keepers trimmed")) { "first harvest failed" }
        }

        check("a generated format goes through the offline provider and its cache") {
            val summary = HarvestCallOptions(format = "summary")
            val first = runBlocking { local.harvest(article, summary) }
            expectEqual("summary", first.format, "format")
            expectEqual("extractive", first.provider, "provider")
            expectEqual(0.0, first.costUsd, "costUsd")
            expectEqual(false, first.cacheHit, "first cacheHit")
            expect(first.output.isNotBlank()) { "empty summary" }
            val second = local.harvestBlocking(article, summary)
            expectEqual(true, second.cacheHit, "second cacheHit")
            expectEqual(first.output, second.output, "cached output")
        }

        check("harvestFile reads a local page") {
            val file = java.io.File.createTempFile("harvest-ffi-", ".html")
            try {
                file.writeText(ARTICLE)
                val r = runBlocking { local.harvestFile(file.path) }
                expectEqual(TITLE, r.attribution.title, "attribution.title")
                expect(r.output.contains("## The keepers")) { "output:\n${r.output}" }
            } finally {
                file.delete()
            }
        }

        check("robots.txt refusal is RobotsDisallowed") {
            val e = expectThrows<HarvestException.RobotsDisallowed> {
                runBlocking { local.harvest("$base/private/page") }
            }
            expect(e.message!!.contains("Disallow: /private/")) { "message: ${e.message}" }
        }

        check("unknown format is UnknownFormat with the core's message") {
            val e = expectThrows<HarvestException.UnknownFormat> {
                runBlocking { local.harvest(article, HarvestCallOptions(format = "pdf")) }
            }
            expectEqual(
                "unknown format `pdf` (no formatter registered under that name)",
                e.message,
                "message",
            )
        }

        check("a loopback address is refused without allowPrivateNetwork") {
            val strict = Harvester(HarvesterOptions())
            val e = expectThrows<HarvestException.PrivateAddress> { strict.harvestBlocking(article) }
            expect(e.message!!.contains("127.0.0.1")) { "message: ${e.message}" }
            expect(e.message!!.contains("allow_private_network")) { "message: ${e.message}" }
            // Both error types are one sealed hierarchy under HarvestException.
            expect(e is HarvestException) { "not a HarvestException" }
        }

        check("harvestMany keeps input order and reports failures by code") {
            val out = runBlocking { local.harvestMany(listOf(article, "ftp://example.test/x")) }
            expectEqual(2, out.size, "size")
            expectEqual(TITLE, out[0].harvest?.attribution?.title, "first title")
            expectEqual(null, out[0].error, "first error")
            expectEqual("INVALID_URL", out[1].error?.code, "second code")
            expectEqual(null, out[1].harvest, "second harvest")
        }

        check("export joins markdown harvests; formats lists markdown") {
            val r = local.harvestBlocking(article)
            val joined = local.export(listOf(r, r), "markdown")
            expect(joined.length > 2 * r.output.length) { "joined length ${joined.length}" }
            expect(local.formats().contains("markdown")) { "formats ${local.formats()}" }
        }

        check("bad options fail with Config") {
            val e = expectThrows<HarvestException.Config> {
                Harvester(HarvesterOptions(timeoutSeconds = -1.0))
            }
            expect(e.message == "invalid configuration: timeoutSeconds must be a non-negative number of seconds, got -1") { "message: ${e.message}" }
        }

        check("API keys never show, only their fingerprints") {
            val keys = ApiKeys()
            keys.set("openai", "sk-kotlin-test-secret")
            val ids = keys.keyIds()
            expect(ids["openai"]?.startsWith("sha256:") == true) { "ids $ids" }
            val options = HarvesterOptions(providers = listOf("openai:gpt-4o-mini"), keys = keys)
            expect(!options.toString().contains("sk-kotlin-test-secret")) { "options $options" }
            Harvester(options)
        }
    } finally {
        server.stop(0)
    }

    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
