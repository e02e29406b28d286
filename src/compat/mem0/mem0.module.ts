import { Module } from '@nestjs/common';

@Module({})
export class Mem0Module {}
