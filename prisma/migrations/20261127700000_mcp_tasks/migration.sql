-- MCP tasks (tools/call run as a task) of an MCP HTTP session, shared by the instances: any of them answers tasks/get, result, list and cancel; they go with their session.

-- CreateTable
CREATE TABLE "McpTask" (
    "taskId" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "statusMessage" TEXT,
    "ttl" INTEGER,
    "pollInterval" INTEGER,
    "createdAt" DATETIME NOT NULL,
    "lastUpdatedAt" DATETIME NOT NULL,
    "result" JSONB,
    "expiresAt" DATETIME,
    CONSTRAINT "McpTask_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "McpSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "McpTask_sessionId_createdAt_idx" ON "McpTask"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX "McpTask_expiresAt_idx" ON "McpTask"("expiresAt");
