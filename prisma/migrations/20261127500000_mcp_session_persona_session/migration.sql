-- An MCP HTTP session's persona session (current persona, threads): the copy another instance builds resumes it.

-- AlterTable
ALTER TABLE "McpSession" ADD COLUMN "personaSessionId" TEXT;
