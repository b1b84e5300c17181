// The Kotlin examples of README.md, harvest-ffi/README.md and docs/kotlin-swift.md, compiled (not run: they call
// a real provider) by ci.sh together with HarvestTest.kt so they keep type-checking.

import harvest.*
import kotlinx.coroutines.runBlocking

fun docsExample() = runBlocking {
    Harvester(HarvesterOptions(providers = listOf("openai:gpt-4o-mini", "extractive"), budgetUsd = 0.01)).use { h ->
        try {
            val r = h.harvest("https://example.com/post", HarvestCallOptions(format = "summary"))
            println("${r.output}\n${r.costUsd} USD, ${r.attribution.title}, ${r.compliance.decision}")
        } catch (e: HarvestException.RobotsDisallowed) {
            println("refused: ${e.message}")
        }
    }
}

fun keysExample() {
    val keys = ApiKeys()
    keys.set("openai", System.getenv("MY_OPENAI_KEY") ?: error("MY_OPENAI_KEY is not set"))
    val h = Harvester(HarvesterOptions(providers = listOf("openai:gpt-4o-mini"), keys = keys))
    println(keys.keyIds()) // {openai=sha256:1a2b3c4d}: fingerprints, never the key
    h.close()
}

fun readmeExample() = kotlinx.coroutines.runBlocking {
    val h = Harvester(HarvesterOptions(providers = listOf("openai:gpt-4o-mini", "extractive")))
    try {
        val r = h.harvest("https://example.com/post", HarvestCallOptions(format = "summary"))
        println("${r.output} ${r.costUsd} ${r.attribution.title}")
    } catch (e: HarvestException.RobotsDisallowed) {
        println("refused: ${e.message}")
    } // no coroutines? h.harvestBlocking(url)
}

fun crateReadmeExample() = runBlocking {
    val h = Harvester(HarvesterOptions(providers = listOf("openai:gpt-4o-mini", "extractive")))
    val r = h.harvest("https://example.com/post", HarvestCallOptions(format = "summary"))
    println("${r.output} ${r.costUsd} ${r.attribution.title}")
}
