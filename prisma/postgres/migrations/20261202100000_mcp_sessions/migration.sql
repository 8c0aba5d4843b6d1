-- MCP Streamable HTTP sessions (issue 14): a session opened on one instance can be served by another.

-- CreateTable
CREATE TABLE "McpSession" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "protocolVersion" TEXT NOT NULL,
    "capabilities" JSONB NOT NULL,
    "clientInfo" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "McpSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "McpSession_userId_idx" ON "McpSession"("userId");

-- CreateIndex
CREATE INDEX "McpSession_lastSeenAt_idx" ON "McpSession"("lastSeenAt");
