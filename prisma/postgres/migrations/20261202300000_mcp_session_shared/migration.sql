-- What every copy of an MCP HTTP session serves alike, whichever instance a request lands on: its resource subscriptions and its logging level.

-- AlterTable
ALTER TABLE "McpSession" ADD COLUMN "subscriptions" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN "logLevel" TEXT;
