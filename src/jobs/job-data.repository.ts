import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { returnedRows } from '../database/returned-rows.js';
import type { Returned } from '../database/returned-rows.js';
import { SqlParams } from '../database/sql-params.js';
import type { QueueName } from './jobs.types.js';

export interface StoredResult {
  contentType: string;
  body: string;
}

/** Files jobs leave for download (exports), large job inputs, and the jobs tables' housekeeping. */
@Injectable()
export class JobDataRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores (or replaces, on a retried attempt) a job's result file. */
  async save(jobId: string, organizationId: string, result: StoredResult): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO job_results (job_id, organization_id, content_type, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (job_id) DO UPDATE SET content_type = excluded.content_type, body = excluded.body, created_at = now()`,
      [jobId, organizationId, result.contentType, result.body],
    );
  }

  async find(jobId: string, organizationId: string): Promise<StoredResult | null> {
    const rows: { content_type: string; body: string }[] = await this.dataSource.query(
      `SELECT content_type, body FROM job_results WHERE job_id = $1 AND organization_id = $2`,
      [jobId, organizationId],
    );
    return rows.length ? { contentType: rows[0].content_type, body: rows[0].body } : null;
  }

  /** Keeps a job's (large) input until the job has completed. */
  async savePayload(jobId: string, organizationId: string, body: unknown): Promise<void> {
    await this.dataSource.query(`INSERT INTO job_payloads (job_id, organization_id, body) VALUES ($1, $2, $3::jsonb)`, [
      jobId,
      organizationId,
      JSON.stringify(body),
    ]);
  }

  async payload(jobId: string): Promise<unknown> {
    const rows: { body: unknown }[] = await this.dataSource.query(`SELECT body FROM job_payloads WHERE job_id = $1`, [
      jobId,
    ]);
    return rows.length ? rows[0].body : undefined;
  }

  async deletePayload(jobId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM job_payloads WHERE job_id = $1`, [jobId]);
  }

  /** Notes that the organization queued this job (what GET /jobs lists). */
  async index(jobId: string, organizationId: string, queue: string): Promise<void> {
    await this.dataSource.query(`INSERT INTO job_index (job_id, organization_id, queue) VALUES ($1, $2, $3)`, [
      jobId,
      organizationId,
      queue,
    ]);
  }

  async unindex(jobId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM job_index WHERE job_id = $1`, [jobId]);
  }

  /** The organization's jobs (id and queue), newest first (uuidv7 ids are time-ordered), at most `limit` after `cursor`. */
  async indexed(organizationId: string, limit: number, cursor?: string): Promise<{ id: string; queue: QueueName }[]> {
    const p = new SqlParams();
    const rows: { job_id: string; queue: QueueName }[] = await this.dataSource.query(
      `SELECT job_id, queue FROM job_index WHERE organization_id = ${p.add(organizationId)}
       ${cursor ? `AND job_id < ${p.add(cursor)}` : ''} ORDER BY job_id DESC LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => ({ id: r.job_id, queue: r.queue }));
  }

  /** Deletes result files, inputs of jobs that never completed, and finished in-process jobs older than their retention. */
  async prune(resultDays: number): Promise<{ results: number; jobs: number }> {
    const results = await this.dataSource.query<Returned<{ job_id: string }>>(
      `DELETE FROM job_results WHERE created_at < now() - make_interval(days => $1) RETURNING job_id`,
      [resultDays],
    );
    // Failed jobs are kept 7 days for inspection, with their input.
    await this.dataSource.query(`DELETE FROM job_payloads WHERE created_at < now() - interval '7 days'`);
    const jobs = await this.dataSource.query<Returned<{ id: string }>>(
      `DELETE FROM jobs WHERE (state = 'completed' AND finished_at < now() - interval '1 day') OR (state = 'failed' AND finished_at < now() - interval '7 days') RETURNING id`,
    );
    // The index outlives no job: the longest any runner keeps one is 7 days (a failed job).
    await this.dataSource.query(`DELETE FROM job_index WHERE created_at < now() - interval '7 days'`);
    return { results: returnedRows(results).length, jobs: returnedRows(jobs).length };
  }
}
