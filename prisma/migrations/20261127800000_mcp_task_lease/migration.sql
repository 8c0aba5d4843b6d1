-- A task's lease: the instance running it renews heldUntil; a task whose instance died (no renewal) is failed by any other.

-- AlterTable
ALTER TABLE "McpTask" ADD COLUMN "heldUntil" DATETIME;

-- CreateIndex
CREATE INDEX "McpTask_heldUntil_idx" ON "McpTask"("heldUntil");
