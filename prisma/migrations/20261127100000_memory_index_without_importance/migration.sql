-- Decay rewrites importance on most rows of the Memory table in one statement; with importance in this
-- index every such write also moved an index entry (about half the cost of a 100k-row decay run).
-- Nothing reads memories ordered by importance through the index: pruning ranks candidates in memory.

-- DropIndex
DROP INDEX "Memory_personaId_prunedAt_importance_idx";

-- CreateIndex
CREATE INDEX "Memory_personaId_prunedAt_idx" ON "Memory"("personaId", "prunedAt");
