-- MCP tasks (tools/call run as a task) of an MCP HTTP session, shared by the instances: any of them answers tasks/get, result, list and cancel; they go with their session.

-- CreateTable
CREATE TABLE "McpTask" (
    "taskId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "statusMessage" TEXT,
    "ttl" INTEGER,
    "pollInterval" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "lastUpdatedAt" TIMESTAMP(3) NOT NULL,
    "result" JSONB,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "McpTask_pkey" PRIMARY KEY ("taskId")
);

-- CreateIndex
CREATE INDEX "McpTask_sessionId_createdAt_idx" ON "McpTask"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX "McpTask_expiresAt_idx" ON "McpTask"("expiresAt");

-- AddForeignKey
ALTER TABLE "McpTask" ADD CONSTRAINT "McpTask_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "McpSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
